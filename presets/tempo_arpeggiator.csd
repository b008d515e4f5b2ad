<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Tempo Arpeggiator: hold a chord and it is played one note at a time, in time
; with the host's tempo and locked to its bar (120 BPM outside a host).
; Instrument 1 only keeps a list of the keys held; the "Arp" clock steps through
; them and plays each on the "Voice" synth.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "rate", 1, 1, 4, 1, 6         ; 1 = 1/4, 2 = 1/8, 3 = 1/8 triplets, 4 = 1/16, 5 = 1/16 triplets, 6 = 1/32
chnset 4, "rate"
chn_k "pattern", 1, 1, 1, 1, 4      ; 1 up, 2 down, 3 up and down, 4 random
chnset 1, "pattern"
chn_k "octaves", 1, 1, 2, 1, 4      ; the held keys repeated this many octaves up
chnset 2, "octaves"
chn_k "gate", 1, 2, 0.5, 0.1, 1     ; note length, as a part of the step
chnset 0.5, "gate"
chn_k "tone", 1, 3, 2500, 200, 8000 ; Hz: brightness of the synth (filter cutoff)
chnset 2500, "tone"

alwayson "Arp"

; steps per quarter note for each "rate" (1 to 6; index 0 unused)
giSteps ftgen 0, 0, 8, -2, 0, 1, 2, 3, 4, 6, 8
; for each MIDI key: how many notes hold it (0 = not held), and its velocity
giHeld  ftgen 0, 0, 128, -2, 0
giVel   ftgen 0, 0, 128, -2, 0

; A host note: register the key while it is held, remove it on release.
instr 1
  ikey  = p4        ; MIDI key; p5 is the velocity
  ichan = p6        ; MIDI channel and frequency, not needed here
  ifreq = p7
  tablew table:i(ikey, giHeld) + 1, ikey, giHeld
  tablew p5, ikey, giVel
  xtratim 1 / kr      ; one extra k-cycle after the note-off, where release = 1
  kdone init 0
  if release() == 1 && kdone == 0 then
    tablew max(0, table:k(ikey, giHeld) - 1), ikey, giHeld
    kdone = 1
  endif
endin

; The clock: on every step, play the next of the held keys.
instr Arp
  kbpm  chnget "HOST_BPM"
  khost = (kbpm > 0 ? 1 : 0)
  kbpm  = (khost == 1 ? kbpm : 120)
  ksteps = table(chnget:k("rate"), giSteps)   ; steps per quarter note
  kheld  active 1                             ; notes held now

  ; position in steps: from the host's song position while it plays (so the
  ; steps fall on its grid), else our own count, restarted by the first key
  ; pressed so that the arpeggio starts at once
  kown init 0
  kwas init 0
  if kheld > 0 && kwas == 0 then
    kown = 0
  endif
  kwas = kheld
  if khost == 1 && chnget:k("IS_PLAYING") == 1 then
    kpos = chnget:k("HOST_PPQ_POS") * ksteps
  else
    kpos = kown
  endif
  kown += kbpm / 60 * ksteps / kr

  ; a new step when the position passes a whole number (the tiny offset keeps
  ; rounding errors in kown from delaying a step by a k-cycle)
  kstep = floor(kpos + 1e-9)
  kprev init -1
  kcount init 0            ; notes played since the keys were first pressed
  kkeys[] init 128
  if kstep != kprev then
    ; the held keys, lowest first
    kn = 0
    ki = 0
    while ki < 128 do
      if table(ki, giHeld) > 0 then
        kkeys[kn] = ki
        kn += 1
      endif
      ki += 1
    od
    if kn == 0 then
      kcount = 0
    else
      ; the keys over all octaves make a run of klen notes; pick one
      klen = kn * chnget:k("octaves")
      kpat = chnget:k("pattern")
      if kpat == 1 then                        ; up
        kidx = kcount % klen
      elseif kpat == 2 then                    ; down
        kidx = klen - 1 - kcount % klen
      elseif kpat == 3 then                    ; up and down, ends not repeated
        kcycle = max(1, 2 * klen - 2)
        kidx = kcount % kcycle
        kidx = (kidx < klen ? kidx : kcycle - kidx)
      else                                     ; random
        kidx = int(random:k(0, klen - 0.001))
      endif
      kkey  = kkeys[kidx % kn]
      knote = kkey + 12 * int(kidx / kn)
      kdur  = 60 / kbpm / ksteps * chnget:k("gate")   ; a part of one step, in seconds
      schedulek "Voice", 0, kdur, knote, table(kkey, giVel)
      kcount += 1
    endif
  endif
  kprev = kstep
endin

; The synth: two slightly detuned saws (one per side) through a low-pass
; filter that closes quickly after the attack, for a plucked sound.
; p3 is the gate length; p4 MIDI note, p5 velocity.
instr Voice
  ifreq = cpsmidinn(p4)
  iamp  = 0.6 * (p5 / 127) ^ 1.5
  aenv  madsr 0.003, 0.3, 0.4, 0.04     ; short release, so the gate is heard
  kfenv expseg 4, 0.15, 1
  ktone port chnget:k("tone"), 0.02, chnget:i("tone")
  kcut  = limit(ktone * kfenv, 40, 16000)
  ; moogladder's saturation leaves a little DC: dcblock removes it (dcblock2
  ; would too, but it delays the sound by 5 ms, which a sequencer can't afford)
  aL    dcblock moogladder(vco2(1, ifreq), kcut, 0.3), 0.999
  aR    dcblock moogladder(vco2(1, ifreq * 1.004), kcut, 0.3), 0.999
  outs aL * aenv * iamp, aR * aenv * iamp
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Tempo Arpeggiator"
author = "Csound Plug"
description = "Hold a chord and it plays as an arpeggio in time with the song: choose the rate, the direction and how many octaves it climbs."
category = "Drums & Sequencers"
tags = ["arpeggiator", "tempo-sync", "pluck", "sequencer"]
</CsoundPlug>
</CsoundSynthesizer>
