<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Step Sequencer: a 16-step drum machine (kick, snare, hi-hat) with a bass line,
; four patterns, swing, and sound made from scratch: no samples.
; It follows the host: tempo, song position and start/stop (it plays on its
; own at 120 BPM outside a host). Notes are not used.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "pattern", 1, 1, 1, 1, 4        ; 1 house, 2 pop-rock, 3 hip-hop, 4 electro
chnset 1, "pattern"
chn_k "speed", 1, 1, 2, 1, 3          ; 1 half time, 2 normal (16ths), 3 double time
chnset 2, "speed"
chn_k "swing", 1, 2, 54, 50, 75       ; % where each second 16th falls: 50 straight, 67 triplet shuffle
chnset 54, "swing"
chn_k "kick", 1, 2, 0.8, 0, 1         ; levels of the four parts
chnset 0.8, "kick"
chn_k "snare", 1, 2, 0.7, 0, 1
chnset 0.7, "snare"
chn_k "hat", 1, 2, 0.6, 0, 1
chnset 0.6, "hat"
chn_k "bass", 1, 2, 0.7, 0, 1
chnset 0.7, "bass"
chn_k "cutoff", 1, 3, 700, 100, 5000  ; Hz: the bass filter, dark to squelchy
chnset 700, "cutoff"

massign 0, 0
alwayson "Sequencer"

; The patterns: 16 steps per line, one line per pattern (1 to 4).
; Drums: 0 rest, 1 soft (ghost note), 2 normal, 3 accent; hat 4 = open hat.
giKick ftgen 0, 0, 64, -2, \
  3,0,0,0, 3,0,0,0, 3,0,0,0, 3,0,0,0, \
  3,0,0,0, 0,0,0,2, 3,0,2,0, 0,0,0,0, \
  3,0,0,0, 0,0,0,2, 0,0,3,0, 0,1,0,0, \
  3,0,0,0, 0,0,2,0, 0,0,3,0, 0,0,0,0
giSnare ftgen 0, 0, 64, -2, \
  0,0,0,0, 3,0,0,0, 0,0,0,0, 3,0,0,0, \
  0,0,0,0, 3,0,0,0, 0,0,0,0, 3,0,0,1, \
  0,0,0,0, 3,0,0,1, 0,1,0,0, 3,0,0,0, \
  0,0,0,0, 3,0,0,0, 0,0,0,0, 3,0,1,2
giHat ftgen 0, 0, 64, -2, \
  1,0,4,0, 1,0,4,0, 1,0,4,0, 1,0,4,1, \
  3,0,2,0, 3,0,2,0, 3,0,2,0, 3,0,4,0, \
  2,0,2,1, 2,0,2,1, 2,0,2,1, 2,0,4,0, \
  3,1,2,1, 3,1,2,1, 3,1,2,1, 3,1,4,1
; Bass: MIDI note numbers, 0 rest (patterns in A minor: 33 is A1)
giBass ftgen 0, 0, 64, -2, \
  0,0,33,0, 0,0,33,0, 0,0,33,0, 0,0,36,0, \
  33,0,0,33, 0,0,33,0, 41,0,0,41, 0,0,43,0, \
  33,0,0,0, 0,0,45,0, 0,43,0,0, 40,0,0,0, \
  33,33,45,33, 33,45,33,33, 31,31,43,31, 36,36,48,38

instr Sequencer
  ; tempo and play state from the host; on its own: 120 BPM, always playing
  kbpm  chnget "HOST_BPM"
  khost = (kbpm > 0 ? 1 : 0)
  kbpm  = (khost == 1 ? kbpm : 120)
  kplay = (khost == 1 ? chnget:k("IS_PLAYING") : 1)
  kspeed = 2 ^ (chnget:k("speed") - 2)   ; 0.5, 1 or 2

  ; song position in steps (16th notes at normal speed): the host's position
  ; in quarter notes when it plays, else a counter of our own
  kown init 0
  if khost == 1 && kplay == 1 then
    kpos = chnget:k("HOST_PPQ_POS") * 4 * kspeed
  else
    kpos = kown
    kown += kbpm / 60 * 4 * kspeed / kr
  endif
  kpos += 1e-9   ; so that rounding errors in kown never delay a step by a k-cycle

  ; swing: steps come in pairs; the second of each pair starts "swing" % of
  ; the way through the pair instead of half way
  kswing = chnget:k("swing") / 100
  kpair  = floor(kpos / 2)
  kstep  = 2 * kpair + (kpos - 2 * kpair >= 2 * kswing ? 1 : 0)

  ; a new step: play what the pattern holds for it
  kprev init -1
  if kplay == 1 && kstep != kprev then
    kidx = (chnget:k("pattern") - 1) * 16 + wrap(kstep, 0, 16)
    klen = 15 / kbpm / kspeed              ; one step, in seconds
    kk = table(kidx, giKick)
    ks = table(kidx, giSnare)
    kh = table(kidx, giHat)
    kb = table(kidx, giBass)
    ; the voices are started as held notes (p3 = -1) and end themselves once
    ; silent: a sequencer nearly always has a voice sounding, and a chain of
    ; notes with a fixed p3 would keep plain csound running past its score's end
    if kk > 0 then
      schedulek "Kick", 0, -1, kk / 3 * chnget:k("kick")
    endif
    if ks > 0 then
      schedulek "Snare", 0, -1, ks / 3 * chnget:k("snare")
    endif
    if kh == 4 then
      schedulek "Hat", 0, -1, chnget:k("hat"), 0.3   ; open: long decay
    elseif kh > 0 then
      schedulek "Hat", 0, -1, kh / 3 * chnget:k("hat"), 0.04
    endif
    if kb > 0 then
      ; the note lasts 80% of a step; accented on the beat
      schedulek "Bass", 0, -1, kb, chnget:k("bass") * (kstep % 4 == 0 ? 1 : 0.75), klen * 0.8
    endif
  endif
  ; stopped: forget the step, so the first one plays again at the restart
  kprev = (kplay == 1 ? kstep : -1)
endin

; Kick: a sine whose pitch drops fast (the thump), plus a short click. p4 level.
instr Kick
  afreq expseg 200, 0.03, 60, 0.4, 45
  aenv  expseg 1, 0.5, 0.001
  asig  poscil aenv, afreq
  aclick = butterhp(noise(1, 0), 2000) * expseg(1, 0.01, 0.001)
  aout  = (asig + aclick * 0.15) * p4 * 0.4
  outs aout, aout
  if timeinsts() >= 0.5 then
    turnoff
  endif
endin

; Snare: two sine modes of the drum head plus bright noise for the wires. p4 level.
instr Snare
  ahead = poscil(1, 185) + poscil(0.6, 330)
  ahead *= expseg(1, 0.12, 0.001)
  anois = butterbp(noise(1, 0), 4000, 4000) * expseg(1, 0.25, 0.001)
  aout  = (ahead * 0.35 + anois * 0.5) * p4 * 0.6
  outs aout, aout
  if timeinsts() >= 0.25 then
    turnoff
  endif
endin

; Hi-hat: six square waves at clashing frequencies (as in the TR-808), kept
; only above 7 kHz. p4 level, p5 decay time; a little to the right.
instr Hat
  asq = vco2(1, 205.3, 10) + vco2(1, 304.4, 10) + vco2(1, 369.6, 10) + \
        vco2(1, 522.7, 10) + vco2(1, 540, 10) + vco2(1, 800, 10)
  asig  butterhp butterbp(asq, 10000, 6000), 7000
  aenv  expseg 1, p5, 0.001
  aout  = asig * aenv * p4 * 0.22
  outs aout * 0.8, aout
  if timeinsts() >= p5 then
    turnoff
  endif
endin

; Bass: a sawtooth through a resonant low-pass whose cutoff jumps up at the
; start of each note. p4 MIDI note, p5 level, p6 length (then a 50 ms fade).
instr Bass
  kcut  port chnget:k("cutoff"), 0.02, chnget:i("cutoff")
  aenv  linseg 0, 0.005, 1, p6, 0.8, 0.05, 0
  kfenv expseg 3, 0.15, 1
  asig  vco2 1, cpsmidinn(p4)
  afilt moogladder asig, limit(kcut * kfenv, 40, 16000), 0.5
  afilt dcblock afilt, 0.999            ; moogladder's saturation leaves a little DC
  aout  = afilt * aenv * p5 * 0.7
  outs aout, aout
  if timeinsts() >= p6 + 0.06 then
    turnoff
  endif
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Step Sequencer"
author = "Csound Plug"
description = "A 16-step drum machine with a bass line that plays in time with your song: pick one of four patterns and add swing."
category = "Drums & Sequencers"
tags = ["drums", "sequencer", "bass", "groove", "tempo-sync"]
</CsoundPlug>
</CsoundSynthesizer>
