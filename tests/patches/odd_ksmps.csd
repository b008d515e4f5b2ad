; odd_ksmps.csd - ksmps = 37 at 48 kHz (divides neither common host block sizes nor the
; sample rate), explicit 0dbfs = 32768, note start times that fall inside k-cycles, k-rate
; envelopes and a k-rate sample-and-hold. Stereo; about 9 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 37
nchnls = 2
0dbfs = 32768

giSine ftgen 1, 0, 8192, 10, 1

instr 1 ; square-ish tone with a transeg envelope and a k-rate stepped filter
  kenv transeg 0, 0.01, 0, 1, p3 - 0.01, -4, 0
  asig vco2 p5 * kenv, p4, 2, 0.35
  kcnt init 0
  kcnt = kcnt + 1
  kcut = 500 + (kcnt % 16) * 200
  afilt butterlp asig, kcut
  aL, aR pan2 afilt, p6
  outs aL, aR
endin

instr 2 ; k-rate FM bell, amplitude changed with port on a k-rate step
  kstep = (timeinsts() < p3 * 0.5 ? 1 : 0.3)
  kamp port kstep, 0.05, 1
  asig foscil p5 * kamp, p4, 1, 1.4, 5 * kamp
  outs asig * 0.6, asig
endin
</CsInstruments>
<CsScore>
i 1 0.0013 0.7   220   9000  0.2
i 1 0.7011 0.7   247   9000  0.4
i 1 1.4029 0.7   262   9000  0.6
i 1 2.1047 1.31  294   9000  0.8
i 2 3.3333 2     440   6000
i 2 4.1111 2.5   554.4 5000
i 1 6.6667 2.1   110   12000 0.5
e
</CsScore>
</CsoundSynthesizer>
