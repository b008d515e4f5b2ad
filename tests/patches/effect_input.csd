; effect_input.csd - an effect on input audio: reads the stereo input with ins and inch,
; treats left and right differently (so a channel swap or a missing input shows) and adds
; a modulated delay, waveshaping and a filter. Rendered with an input WAV (stereo,
; 48 kHz). 48 kHz, ksmps 32, nchnls 2, nchnls_i 2, 0dbfs 1; 6 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

instr 1 ; always-on effect
  aL, aR ins
  aR2 inch 2
  ; left: dry plus a 120 ms feedback-free echo, tone-filtered
  aecho delay aL, 0.12
  aecho tone aecho, 2500
  ; right: chorus-like modulated delay plus soft clipping of the inch copy
  amod oscili 3, 0.5
  ach vdelay3 aR, 12 + amod, 50
  adist = tanh(aR2 * 3) * 0.3
  kgain linseg 0, 0.01, 1, p3 - 0.02, 1, 0.01, 0
  outs (aL + aecho * 0.5) * kgain, (ach * 0.6 + adist) * kgain
endin
</CsInstruments>
<CsScore>
i 1 0 6
e
</CsScore>
</CsoundSynthesizer>
