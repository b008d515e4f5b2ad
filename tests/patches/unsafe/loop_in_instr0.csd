<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
; Never returns from the global code (instr 0).
gicount = 0
while gicount >= 0 do
  gicount += 1
od
instr 1
  asig oscili 0.2, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
