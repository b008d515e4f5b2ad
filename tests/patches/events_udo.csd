; events_udo.csd - orchestra-generated events and language features: named instruments,
; a user-defined opcode, arrays and a bounded while loop, schedule/event_i/event/
; schedkwhen, turnoff, release segments (linsegr/xtratim) and negative p3 (held notes).
; 44.1 kHz, ksmps 64, stereo, 0dbfs 1; about 10 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 44100
ksmps = 64
nchnls = 2
0dbfs = 1

giNotes[] fillarray 0, 3, 7, 10, 12, 15

opcode Voice, a, ii
  icps, iamp xin
  a1 vco2 iamp, icps, 10
  a2 vco2 iamp, icps * 1.01, 10
  aout moogladder a1 + a2, icps * 6, 0.3
  xout aout
endop

instr Arp ; schedules six notes of an arpeggio at i-time with a loop
  indx = 0
  while indx < lenarray(giNotes) do
    schedule "Note", indx * 0.125, 0.2, 60 + giNotes[indx] + p4, 0.15
    indx += 1
  od
endin

instr Note
  icps = cpsmidinn(p4)
  kenv linsegr 0, 0.01, 1, 0.1, 0.6, 0.15, 0
  asig Voice icps, p5
  outs asig * kenv, asig * kenv * 0.8
endin

instr Clock ; k-rate trigger making notes with schedkwhen and event
  ktrig metro 4
  kcount init 0
  schedkwhen ktrig, 0, 0, "Blip", 0, 0.1, 72 + (kcount % 5) * 2
  if ktrig == 1 then
    kcount += 1
    if kcount % 4 == 0 then
      event "i", "Note", 0, 0.3, 48, 0.2
    endif
  endif
endin

instr Blip
  kenv expseg 1, p3, 0.001
  asig oscili 0.1 * kenv, cpsmidinn(p4)
  outs asig * 0.3, asig
endin

instr 10 ; held note (negative p3) switched off later by instr 11
  xtratim 0.3
  krel release
  kfade init 1
  if krel == 1 then
    kfade = kfade * 0.99
  endif
  asig Voice 110, 0.1
  outs asig * kfade, asig * kfade
endin

instr 11
  turnoff2 10, 0, 1
  turnoff
endin
</CsInstruments>
<CsScore>
i "Arp" 0 0.1 0
i "Arp" 1 0.1 5
i "Arp" 2 0.1 7
i "Clock" 3 3
i 10 6 -1
i 11 8.5 0.1
i "Arp" 9 0.1 -12
e 10.5
</CsScore>
</CsoundSynthesizer>
