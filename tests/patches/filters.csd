; filters.csd - noise and a saw through many filter opcodes (moogladder, butterlp,
; butterbp, reson, tone/atone, lpf18, svfilter, K35_lpf, zdf_2pole, mode).
; Random generators are seeded (seed 1 plus explicit rand seeds) so every run is
; identical. 44.1 kHz, ksmps 16, stereo, 0dbfs 1; about 10 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 44100
ksmps = 16
nchnls = 2
0dbfs = 1

seed 1

instr 1 ; white noise through a sweeping moogladder and butterworth band-pass
  anoise rand 0.5, 0.3
  kcut expseg 100, p3 * 0.5, 8000, p3 * 0.5, 200
  a1 moogladder anoise, kcut, 0.7
  kbw line 50, p3, 800
  a2 butterbp anoise, kcut, kbw
  a2 butterlp a2 * 2, 5000
  kenv linseg 0, 0.05, 1, p3 - 0.1, 1, 0.05, 0
  outs a1 * kenv, a2 * kenv
endin

instr 2 ; saw into reson, tone/atone, lpf18
  asaw vco2 0.3, p4
  kf line 300, p3, 3000
  a1 reson asaw, kf, kf * 0.1, 1
  a2 tone asaw, 1200
  a3 atone asaw, 400
  a4 lpf18 asaw, kf, 0.6, 0.3
  kenv linen 1, 0.02, p3, 0.1
  outs (a1 * 0.5 + a2) * kenv, (a3 + a4 * 0.5) * kenv
endin

instr 3 ; noise (the 'noise' opcode uses the global seed) into svfilter, K35, zdf_2pole
  anoise noise 0.4, 0.2
  klfo oscili 1500, 0.7
  kcf = 2000 + klfo
  alow, ahigh, aband svfilter anoise, kcf, 20
  ak35 K35_lpf anoise, kcf, 8, 1, 1.5
  azdf zdf_2pole anoise, kcf, 3, 2
  kenv linseg 0, 0.1, 1, p3 - 0.2, 1, 0.1, 0
  outs (alow * 0.5 + aband * 0.2) * kenv, (ak35 * 0.5 + azdf * 0.3) * kenv
endin

instr 4 ; random impulses (random, rnd31) exciting a resonant mode filter
  kfreq init 400
  kgate metro 8
  kamp random 0.2, 1
  if kgate == 1 then
    kfreq = 500 + rnd31:k(300, 0, 7)
  endif
  aimp mpulse kamp, 0.125
  ares mode aimp * 0.2, kfreq, 60
  kenv linseg 0, 0.01, 1, p3 - 0.02, 1, 0.01, 0
  ares2 mode aimp * 0.2, kfreq * 1.5, 80
  outs ares * kenv, ares2 * kenv
endin
</CsInstruments>
<CsScore>
i 1 0    3
i 2 2.5  2.5 98
i 3 5    3
i 4 7.5  2.5
e
</CsScore>
</CsoundSynthesizer>
