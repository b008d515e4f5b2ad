<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Overdrive & Fuzz — a stereo waveshaping distortion.
; Signal path per channel:
;   input -> high-pass 30 Hz + low-pass 6.5 kHz (pre-filter: keeps rumble out of
;   the shaper and feeds it less top end, so fewer harmonics fold back as aliasing)
;   -> drive gain -> waveshaper (4 curves) -> automatic level compensation
;   -> tone low-pass -> DC blocker -> level -> dry/wet mix
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; an effect: no host note may start an instrument, the processor always runs
massign 0, 0
alwayson "Distortion"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
; type 1 = integer, 2 = linear, 3 = exponential. plain csound reads 0 from an
; unwritten channel, so each default is also written with chnset.
chn_k "drive", 1, 2, 20, 0, 48       ; gain into the shaper, dB
chnset 20, "drive"
chn_k "type", 1, 1, 0, 0, 3          ; 0 soft (tanh), 1 hard clip, 2 fuzz, 3 bitfold
chnset 0, "type"
chn_k "tone", 1, 2, 0.65, 0, 1       ; post low-pass, 0 = 400 Hz (dark) .. 1 = 12 kHz (open)
chnset 0.65, "tone"
chn_k "level", 1, 2, 0, -24, 12      ; output level of the distorted signal, dB
chnset 0, "level"
chn_k "mix", 1, 2, 1, 0, 1           ; 0 = dry only, 1 = distorted only
chnset 1, "mix"

; One channel of waveshaping. The four curves are all computed and blended by
; weights (only one is 1 at a time, the others 0), so that switching "type"
; crossfades in 10 ms instead of clicking.
opcode Shaper, a, akkkkk
  ain, kgain, kw0, kw1, kw2, kw3 xin
  ; drive gain as an a-rate ramp (no zipper noise); imode 1 starts it at the
  ; current value instead of rising from 0
  ax     = ain * interp(kgain, 0, 1)
  asoft  = tanh(ax)                        ; smooth, tube-like saturation
  ahard  = limit(ax, -1, 1)                ; flat-topped clipping, brighter and buzzier
  ; fuzz: a bias shifts the signal before saturating, so positive and negative
  ; halves clip differently (asymmetric = even harmonics: the buzzy, uneven fuzz-pedal sound).
  ; the DC this creates is removed after the shaper.
  afuzz  = tanh(ax * 2 + 0.6) - tanh(0.6)
  ; bitfold: a sine wavefolder (loud parts fold back down instead of flattening)
  ; followed by a coarse 4-bit quantiser for a gritty, digital edge
  ; (dividing by 0.6 keeps quiet signals at unity gain, like the other curves)
  afold  = sin(ax * 0.6) / 0.6
  afold  = floor(afold * 5 + 0.5) / 5      ; steps of 0.2 on a +-1.67 range
  ; per-curve trims keep the four curves at a similar loudness
  aout   = asoft * kw0 + ahard * kw1 * 0.9 + afuzz * kw2 * 0.8 + afold * kw3 * 0.8
  xout aout
endop

instr Distortion
  ; ---- controls, smoothed so that moving them does not click
  ; (port's third argument starts the smoothing at the current value, not at 0)
  kdrive  = port(chnget:k("drive"), 0.02, chnget:i("drive"))
  ktype   = limit(round(chnget:k("type")), 0, 3)
  itype   = limit(round(chnget:i("type")), 0, 3)
  ktone   = port(chnget:k("tone"), 0.02, chnget:i("tone"))
  ; (the level is smoothed as a gain factor, not in dB: port treats a negative
  ; start value as "skip initialisation" and would glide up from 0 dB)
  kvol    = port(ampdb(chnget:k("level")), 0.02, ampdb(chnget:i("level")))
  kmix    = port(limit(chnget:k("mix"), 0, 1), 0.02, limit(chnget:i("mix"), 0, 1))
  ; crossfade weights for the four curves
  kw0     = port(ktype == 0 ? 1 : 0, 0.01, itype == 0 ? 1 : 0)
  kw1     = port(ktype == 1 ? 1 : 0, 0.01, itype == 1 ? 1 : 0)
  kw2     = port(ktype == 2 ? 1 : 0, 0.01, itype == 2 ? 1 : 0)
  kw3     = port(ktype == 3 ? 1 : 0, 0.01, itype == 3 ? 1 : 0)

  kgain   = ampdb(kdrive)
  ; automatic level compensation: a signal at the nominal level iref (-20 dBFS,
  ; a typical RMS) comes out of tanh at tanh(kgain*iref); multiplying by
  ; iref / that keeps a typical input at about the same loudness at any drive
  ; (at low drive kcomp is 1/kgain, so the dry level is kept exactly).
  iref    = 0.1
  kcomp   = iref / tanh(kgain * iref)
  kcut    = 400 * 30 ^ ktone               ; exponential tone sweep 400 Hz .. 12 kHz
  kout    = kcomp * kvol

  ainL, ainR ins
  ; pre-filter: 30 Hz high-pass, 6.5 kHz low-pass (cheap anti-aliasing)
  apreL   = butterlp(butterhp(ainL, 30), 6500)
  apreR   = butterlp(butterhp(ainR, 30), 6500)
  ashL    Shaper apreL, kgain, kw0, kw1, kw2, kw3
  ashR    Shaper apreR, kgain, kw0, kw1, kw2, kw3
  ; post-filter: tone low-pass (also removes the fizz of aliased harmonics),
  ; then a DC blocker for the asymmetric fuzz curve
  awetL   = dcblock(butterlp(ashL, kcut), 0.9995) * interp(kout, 0, 1)
  awetR   = dcblock(butterlp(ashR, kcut), 0.9995) * interp(kout, 0, 1)
  amix    = interp(kmix, 0, 1)
  outs ainL * (1 - amix) + awetL * amix, ainR * (1 - amix) + awetR * amix
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Overdrive & Fuzz"
author = "Csound Plug"
description = "Waveshaping distortion from warm overdrive to hard clip, gated fuzz and digital bitfold; put it on guitar, bass, synths or drums."
category = "Effects"
tags = ["distortion", "overdrive", "fuzz", "saturation"]
</CsoundPlug>
</CsoundSynthesizer>
