; reverbs.csd - reverbsc, freeverb, nreverb and reverb2 on short percussive notes;
; long tails run to the end of the score. 44.1 kHz, ksmps 32, stereo, 0dbfs 1; ~14 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 44100
ksmps = 32
nchnls = 2
0dbfs = 1

gaL init 0
gaR init 0

instr 1 ; short FM blip, panned, sent to the reverb bus
  kenv expseg 1, p3, 0.0001
  asig foscili 0.25 * kenv, p4, 1, 2.01, 3 * kenv
  aL, aR pan2 asig, p5
  gaL = gaL + aL
  gaR = gaR + aR
  outs aL, aR
endin

instr 90 ; reverbsc + freeverb in parallel
  ar1L, ar1R reverbsc gaL, gaR, 0.85, 8000
  ar2L, ar2R freeverb gaL, gaR, 0.8, 0.35
  outs ar1L * 0.4 + ar2L * 0.3, ar1R * 0.4 + ar2R * 0.3
endin

instr 91 ; nreverb and reverb2 (mono sum), then clear the bus
  amono = (gaL + gaR) * 0.5
  an nreverb amono, 2.5, 0.4
  ar2 reverb2 amono, 1.8, 0.6
  outs an * 0.2, ar2 * 0.2
  clear gaL, gaR
endin
</CsInstruments>
<CsScore>
f 1 0 16384 10 1
i 90 0 14
i 91 0 14
i 1 0.0  0.3 440  0.2
i 1 0.5  0.2 660  0.8
i 1 1.0  0.4 550  0.5
i 1 2.3  0.1 880  0.1
i 1 2.45 0.1 990  0.9
i 1 4.0  1.0 220  0.5
i 1 7.13 0.2 1320 0.3
e
</CsScore>
</CsoundSynthesizer>
