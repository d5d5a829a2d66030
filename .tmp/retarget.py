# usage: python3 retarget.py OLD_MODULE_PATH NEW_MODULE_PATH Name1,Name2,...  -- moves named imports of OLD to NEW in every .ts file
import sys,re,os,subprocess
old,new,names=sys.argv[1],sys.argv[2],set(sys.argv[3].split(','))
files=subprocess.check_output(['git','ls-files','-co','--exclude-standard','*.ts'],text=True).split()
pat=re.compile(r"^(import|export)( type)? \{([^}]*)\} from '([^']+)'\n", re.M)
for f in files:
    if f.startswith('src/samples') or not os.path.exists(f): continue
    s=open(f).read(); changed=False
    def repl(m):
        global changed
        kw,typ,body,spec=m.group(1),m.group(2) or '',m.group(3),m.group(4)
        target=os.path.normpath(os.path.join(os.path.dirname(f),spec))
        if target!=os.path.normpath(old): return m.group(0)
        items=[x.strip() for x in body.replace('\n',' ').split(',') if x.strip()]
        def base(x): return x.replace('type ','').split(' as ')[0].strip()
        move=[x for x in items if base(x) in names]; keep=[x for x in items if base(x) not in names]
        if not move: return m.group(0)
        newspec=os.path.relpath(new,os.path.dirname(f))
        if not newspec.startswith('.'): newspec='./'+newspec
        out=''
        if keep: out+=f"{kw}{typ} {{ {', '.join(keep)} }} from '{spec}'\n"
        out+=f"{kw}{typ} {{ {', '.join(move)} }} from '{newspec}'\n"
        return out
    s2=pat.sub(repl,s)
    if s2!=s: open(f,'w').write(s2); print('fixed',f)
