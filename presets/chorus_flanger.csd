<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Chorus / Flanger: one slowly swept delay line per side, mixed with the dry
; signal. Long delays (5-19 ms) thicken the sound (chorus); short ones
; (0.3-6 ms) comb-filter it into the jet-plane sweep of a flanger.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "mode", 1, 1, 0, 0, 1            ; 0 chorus, 1 flanger
chnset 0, "mode"
chn_k "rate", 1, 3, 0.5, 0.05, 8       ; Hz: sweeps per second
chnset 0.5, "rate"
chn_k "depth", 1, 2, 0.5, 0, 1         ; how far the delay time sweeps
chnset 0.5, "depth"
chn_k "feedback", 1, 2, 0, -0.9, 0.9   ; delayed signal fed back: sharper, ringing combs
chnset 0, "feedback"
chn_k "mix", 1, 2, 0.5, 0, 1           ; 0 dry .. 0.5 even blend .. 1 delayed only (vibrato)
chnset 0.5, "mix"
chn_k "phase", 1, 2, 90, 0, 180        ; degrees between the left and right sweeps
chnset 90, "phase"

massign 0, 0
alwayson "ChorusFlanger"

instr ChorusFlanger
  kmode  chnget "mode"
  krate  port chnget:k("rate"), 0.02, chnget:i("rate")
  kdepth port chnget:k("depth"), 0.02, chnget:i("depth")
  kfb    port chnget:k("feedback"), 0.02, chnget:i("feedback")
  kmix   port chnget:k("mix"), 0.02, chnget:i("mix")
  kphase port chnget:k("phase"), 0.02, chnget:i("phase")

  ; shortest delay and sweep range (seconds) for each mode; the glide makes a
  ; mode change a smooth swoop instead of a click (no glide on the first k-cycle)
  kmin   = (kmode == 0 ? 0.005 : 0.0003)
  krange = (kmode == 0 ? 0.014 : 0.006)
  kglide init 0
  kmin   portk kmin, kglide
  krange portk krange, kglide
  kglide = 0.05

  ; one LFO phase (0..1) for both sides; the right side runs "phase" degrees ahead
  aphs  phasor krate
  alfoL = 0.5 + 0.5 * sin(2 * $M_PI * aphs)
  alfoR = 0.5 + 0.5 * sin(2 * $M_PI * (aphs + kphase / 360))
  adelL = kmin + kdepth * krange * alfoL
  adelR = kmin + kdepth * krange * alfoR

  ainL, ainR ins
  ; flanger: a delay line with feedback whose delay can be shorter than ksmps
  awetL flanger ainL, adelL, kfb, 0.025
  awetR flanger ainR, adelR, kfb, 0.025
  ; feedback makes the combs resonate: turn the delayed signal down to match
  kgain = 1 - 0.5 * abs(kfb)

  ; equal-power mix: the level stays about the same across the range
  kdry = cos(kmix * $M_PI / 2)
  kwet = sin(kmix * $M_PI / 2) * kgain
  outs ainL * kdry + awetL * kwet, ainR * kdry + awetR * kwet
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Chorus / Flanger"
author = "Csound Plug"
description = "A stereo chorus that thickens guitars, keys and pads; switch mode to 1 for a sweeping flanger, and add feedback for a metallic jet sound."
category = "Effects"
tags = ["chorus", "flanger", "modulation", "stereo"]
</CsoundPlug>
</CsoundSynthesizer>
