<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
; Crashes Csound 6.18 (SIGSEGV in csoundPerformKsmps) when a note starts instr 1.
instr 1
  ibad = 1/0
  asig oscili 0.2, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
