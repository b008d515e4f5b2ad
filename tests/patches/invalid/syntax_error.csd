; syntax_error.csd - does not compile: line 15 uses an opcode that does not exist
; (oscilx) and line 16 reads an undefined variable. For `csound-plug check` tests.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

instr 1
  kenv linseg 0, 0.1, 1, p3 - 0.1, 0
  asig oscilx 0.3, 440
  outs asig * kenv, aundefined
endin
</CsInstruments>
<CsScore>
i 1 0 1
e
</CsScore>
</CsoundSynthesizer>
