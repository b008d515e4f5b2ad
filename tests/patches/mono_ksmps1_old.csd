; mono_ksmps1_old.csd - an old-style header: sr/kr/ksmps all given, ksmps = 1, mono
; (nchnls = 1) and no 0dbfs statement, so amplitudes are on the default 32768 scale.
; k-rate code runs every sample: a k-rate feedback loop, fof synthesis, wguide1 and
; a sample-by-sample tablew/table ring buffer. 44.1 kHz; about 8 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 44100
kr = 44100
ksmps = 1
nchnls = 1

giSine ftgen 0, 0, 4096, 10, 1
giSig  ftgen 0, 0, 1024, 19, 0.5, 0.5, 270, 0.5
giRing ftgen 0, 0, 4096, -2, 0

instr 1 ; fof vowel with vibrato
  kvib oscil 4, 5.5, giSine
  kfund = p4 + kvib
  kenv linseg 0, 0.1, 1, p3 - 0.2, 1, 0.1, 0
  a1 fof 8000, kfund, 650, 0, 40, 0.003, 0.02, 0.007, 50, giSine, giSig, p3
  a2 fof 4000, kfund, 1080, 0, 60, 0.003, 0.02, 0.007, 50, giSine, giSig, p3
  out (a1 + a2) * kenv
endin

instr 2 ; k-rate one-pole feedback lowpass (only exact at ksmps = 1) on a pulse train
  kphs phasor p4
  kin = (kphs < 0.1 ? 12000 : -1200)
  ky init 0
  ky = ky + 0.05 * (kin - ky)
  kenv linseg 0, 0.02, 1, p3 - 0.04, 1, 0.02, 0
  out a(ky) * kenv
endin

instr 3 ; wguide1 plucked by short noise-free bursts, through a k-rate ring buffer
  kndx init 0
  aexc mpulse 15000, 0.5
  awg wguide1 aexc, p4, 3000, 0.95
  kwg = k(awg)
  tablew kwg, kndx, giRing
  kold table (kndx + 2048) % 4096, giRing
  kndx = (kndx + 1) % 4096
  out a(kwg * 0.7 + kold * 0.3)
endin
</CsInstruments>
<CsScore>
i 1 0   2.5 130.8
i 2 2.2 2   110
i 3 4   3.5 196
i 1 6.1 1.6 174.6
e
</CsScore>
</CsoundSynthesizer>
