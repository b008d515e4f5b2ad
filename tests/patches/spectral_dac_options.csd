; spectral_dac_options.csd - phase-vocoder processing (pvsanal, pvscale, pvsblur,
; pvsmix, pvsynth) of a synthetic source, in a patch whose CsOptions ask for real-time
; output (-odac) like most patches found in the wild: an offline render must ignore
; that and write the file. 48 kHz, ksmps 16, stereo, 0dbfs 1; about 6 s.
<CsoundSynthesizer>
<CsOptions>
-odac -d -m0
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 16
nchnls = 2
0dbfs = 1

instr 1
  kenv linseg 0, 0.05, 1, p3 - 0.3, 1, 0.25, 0
  asrc vco2 0.3, p4, 0
  asrc2 poscil 0.2, p4 * 1.5
  fsrc pvsanal asrc, 1024, 256, 1024, 1
  fsrc2 pvsanal asrc2, 1024, 256, 1024, 1
  kscale line 1, p3, 1.5
  fup pvscale fsrc, kscale, 1
  fblur pvsblur fup, 0.05, 0.2
  fmix pvsmix fblur, fsrc2
  aL pvsynth fup
  aR pvsynth fmix
  outs aL * kenv, aR * kenv
endin
</CsInstruments>
<CsScore>
i 1 0   3 220
i 1 2.5 3 330
e 6
</CsScore>
</CsoundSynthesizer>
