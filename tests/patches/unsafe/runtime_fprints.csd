<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
; Builds an opcode's name from pieces and compiles it at run time: only the sandbox sees
; what the new instrument does.
Sop strcat "fpr", "ints"
Scode sprintf {{instr 2
%s "%s", "written at run time"
endin
}}, Sop, "@MARKER_DIR@/runtime-wrote"
ires compilestr Scode
schedule 2, 0, 0.1
instr 1
  asig oscili 0.2, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
