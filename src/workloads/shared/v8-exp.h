/*
 * v8-exp.h: JavaScript's Math.exp as V8 computes it (fdlibm's e_exp.c), for C
 * ports that must round exactly as their JS references do. See v8-exp.c.
 */
#ifndef ZEROSTATE_V8_EXP_H
#define ZEROSTATE_V8_EXP_H

/* Math.exp(x), bit for bit as V8 returns it. */
double v8_exp(double x);

#endif
