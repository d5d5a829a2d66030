import { BrowserZeroStateApp } from './app/zerostate-app.ts'
import { createPublicApi } from './app/public-api.ts'
import { mountUi } from './ui/index.ts'
import { registerServiceWorker } from './ui/register-sw.ts'

const app = new BrowserZeroStateApp()
const root = document.getElementById('app')
if (root == null) throw new Error('index.html has no #app element')
mountUi(app, root)
const ready = app.start()
// Start-up errors are shown in the UI and by `window.zerostate.ready`; do not also report them as unhandled.
ready.catch(() => {})
window.zerostate = createPublicApi(app, ready)
registerServiceWorker({
  // A new version took over: reload, but not in the middle of someone's task.
  onNeedReload: () => { void app.whenIdle().then(() => { location.reload() }) }
})
