<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Multi-Out Drum Kit: the Synth Drum Kit with each drum group on its own pair
; of channels, for separate mixer channels in the host. Enable the plugin's
; auxiliary outputs and they carry:
;   3-4 Kick   5-6 Snare (snare and clap)   7-8 Hats (hats and crash)
; and the main output the toms. With the auxiliary outputs off (or in a host
; that has none) the groups are mixed into the main output ([buses] fold), so
; the whole kit plays there. Drive and level act on every group.
; The keys, on the General MIDI drum layout:
;   36 kick   38 snare   39 clap   42 closed hat   46 open hat
;   45 low tom   47 mid tom   50 high tom   49 crash
; Other keys are silent. Velocity sets loudness and brightness. A closed hat
; cuts off a ringing open hat, as on a real hi-hat.
; Host notes arrive as score events: p4 = MIDI key, p5 = velocity (1-127).
; Each drum is a separate instrument started with a fixed length, so it rings
; out fully however short the note is. Each group meets on a stereo bus that
; the "Master" instrument drives and sends to its channels.
sr = 48000
ksmps = 32
nchnls = 8
nchnls_i = 2
0dbfs = 1

chn_k "kicktune", 1, 3, 50, 35, 90       ; Hz: pitch of the kick's body
chnset 50, "kicktune"
chn_k "kickdecay", 1, 3, 0.5, 0.1, 1.5   ; seconds: length of the kick's boom
chnset 0.5, "kickdecay"
chn_k "snaretone", 1, 2, 0.5, 0, 1       ; snare: 0 deep drum body, 1 bright rattling wires
chnset 0.5, "snaretone"
chn_k "hatdecay", 1, 3, 0.8, 0.1, 2      ; seconds: open hat length (the closed hat is 1/8 of it)
chnset 0.8, "hatdecay"
chn_k "drive", 1, 2, 0.2, 0, 1           ; saturation of the whole kit: clean to crushed
chnset 0.2, "drive"
chn_k "level", 1, 2, 0, -24, 6           ; dB: output level
chnset 0, "level"

alwayson "Master"   ; the group buses (defined last, so it runs after the drums)

; one stereo bus per group, summed by the drums and emptied by "Master"
gaTomL init 0
gaTomR init 0
gaKickL init 0
gaKickR init 0
gaSnareL init 0
gaSnareR init 0
gaHatL init 0
gaHatR init 0

; 808-style metal: six square waves at clashing, unrelated frequencies;
; the filters after it decide whether it is a hat or a cymbal
opcode Metal, a, k
  kf xin
  asig = vco2(1, kf * 2.053, 10) + vco2(1, kf * 3.044, 10) + vco2(1, kf * 3.696, 10) + \
         vco2(1, kf * 5.227, 10) + vco2(1, kf * 5.4, 10) + vco2(1, kf * 8, 10)
  xout asig / 6
endop

; The note dispatcher: picks the drum for the key and starts it with a fixed
; length. Held notes leave this instance waiting for its note-off, silently.
instr 1
  ikey = p4
  ivel = p5 / 127
  ichan = p6   ; MIDI channel and frequency (p7): not used by the drums
  ihz  = p7
  if ikey == 36 then
    schedule "Kick", 0, chnget:i("kickdecay") + 0.05, ivel
  elseif ikey == 38 then
    schedule "Snare", 0, 0.6, ivel
  elseif ikey == 39 then
    schedule "Clap", 0, 0.6, ivel
  elseif ikey == 42 || ikey == 46 then
    ; hi-hat choke: any new hat note cuts a ringing open hat (with a short
    ; release, so no click)
    turnoff2_i nstrnum("OpenHat"), 0, 1
    if ikey == 42 then
      schedule "ClosedHat", 0, chnget:i("hatdecay") / 8 + 0.05, ivel
    else
      schedule "OpenHat", 0, chnget:i("hatdecay") + 0.05, ivel
    endif
  elseif ikey == 45 then
    schedule "Tom", 0, 0.9, ivel, 82, 0.65    ; p5 pitch in Hz, p6 pan (0 left, 1 right)
  elseif ikey == 47 then
    schedule "Tom", 0, 0.8, ivel, 110, 0.5
  elseif ikey == 50 then
    schedule "Tom", 0, 0.7, ivel, 147, 0.35
  elseif ikey == 49 then
    schedule "Crash", 0, 3, ivel
  endif
endin

; Kick: a sine swept down fast from 4x its pitch (the thump), then a slower
; exponential decay (the boom), and a short filtered noise click. p4 velocity.
instr Kick
  itune  = chnget:i("kicktune")
  idecay = p3 - 0.05
  ivel   = p4
  afreq  expseg itune * 4, 0.02, itune * 1.4, 0.12, itune, 1, itune
  aenv   expseg 1, idecay, 0.001
  abody  poscil aenv, afreq
  aclick = butterhp(noise(1, 0), 1500) * expseg(1, 0.008, 0.001) * (0.2 + 0.4 * ivel)
  ; a touch of tanh rounds the body into a punchier shape
  aout   = tanh(1.5 * abody) * 0.55 + aclick * 0.3
  aout  *= ivel ^ 1.5
  gaKickL += aout
  gaKickR += aout
endin

; Snare: two sine modes of the drum head (with a small pitch drop) plus
; band-passed noise for the wires; "snaretone" sets their balance and how
; bright the wires are. p4 velocity.
instr Snare
  ivel   = p4
  itone  = chnget:i("snaretone")
  kdrop  expseg 1.3, 0.03, 1, 1, 1
  ahead  = poscil(1, 180 * kdrop) + poscil(0.5, 330 * kdrop)
  ahead *= expseg(1, 0.15, 0.001)
  ; the wires: brighter and louder with tone and velocity
  icf    = 2500 + 4500 * itone
  awires = butterbp(noise(1, 0), icf, icf * 0.9) * expseg(1, 0.1 + 0.15 * itone, 0.001)
  awires = butterhp(awires, 600 + 1200 * ivel)
  aout   = ahead * 0.45 * (1.2 - itone) + awires * (0.5 + 0.9 * itone)
  aout  *= 0.55 * ivel ^ 1.5
  gaSnareL += aout
  gaSnareR += aout
endin

; Clap: three quick noise bursts (several hands, not quite together) and a
; short tail, band-passed around 1.2 kHz. p4 velocity. Slightly left.
instr Clap
  ivel   = p4
  aenv   linseg 0, 0.0005, 1, 0.009, 0.15, 0.0005, 1, 0.009, 0.15, 0.0005, 1, 0.009, 0.15, 0.0005, 0.8
  aenv  *= expseg(1, 0.029, 1, 0.25, 0.001)
  asig   butterbp noise(1, 0), 1200, 900
  asig   butterhp asig, 500
  aout   = asig * aenv * 2.2 * ivel ^ 1.5
  gaSnareL += aout * 0.6
  gaSnareR += aout * 0.4
endin

; Closed hat: the metal, only above 7 kHz, very short. p4 velocity.
; Slightly left, as seen from the drummer's seat.
instr ClosedHat
  ivel   = p4
  asig   butterhp butterbp(Metal(100), 10000, 8000), 7000
  aenv   expseg 1, p3 - 0.05, 0.001
  aout   = asig * aenv * 1.5 * ivel ^ 1.5
  gaHatL += aout * 0.6
  gaHatR += aout * 0.4
endin

; Open hat: the same metal with a long decay. A closed hat ends it early
; (turnoff2 in instr 1): linsegr then gives a 15 ms fade instead of a click.
instr OpenHat
  ivel   = p4
  asig   butterhp butterbp(Metal(100), 10000, 8000), 7000
  aenv   expseg 1, p3 - 0.05, 0.001
  aenv  *= linsegr:a(1, p3, 1, 0.015, 0)
  aout   = asig * aenv * 1.3 * ivel ^ 1.5
  gaHatL += aout * 0.6
  gaHatR += aout * 0.4
endin

; Toms: a sine with a pitch drop and a little noise for the stick.
; p4 velocity, p5 pitch in Hz, p6 pan position.
instr Tom
  ivel   = p4
  ifreq  = p5
  kfreq  expseg ifreq * 1.5, 0.04, ifreq, 1, ifreq * 0.95
  aenv   expseg 1, p3, 0.001
  abody  poscil aenv, kfreq
  astick = butterbp(noise(1, 0), ifreq * 8, ifreq * 8) * expseg(1, 0.02, 0.001)
  aout   = (tanh(1.3 * abody) * 0.55 + astick * 0.3) * ivel ^ 1.5
  gaTomL += aout * sqrt(1 - p6)
  gaTomR += aout * sqrt(p6)
endin

; Crash: the metal at a higher pitch plus noise, high-passed, with a long
; decay; left and right get different noise for width. p4 velocity.
instr Crash
  ivel   = p4
  ametal Metal 140
  aenv   expseg 1, p3, 0.001
  aL     butterhp ametal * 0.7 + noise(0.5, 0), 4000
  aR     butterhp ametal * 0.7 + noise(0.5, 0), 4000
  ; a soft attack in the highs, brighter for harder hits
  itone  = 6000 + 10000 * ivel
  aL     tone aL, itone
  aR     tone aR, itone
  iamp   = 0.6 * ivel ^ 1.5
  gaHatL += aL * aenv * iamp
  gaHatR += aR * aenv * iamp
endin

; A group's bus: tanh saturation scaled so that a hit peaking at 0.4
; (-8 dBFS) keeps its peak; more drive brings up the tails and body (like a
; compressor) and adds grit. Then the output level. Each call has its own
; filter state, so every group gets its own.
opcode Bus, aa, aakk
  aL, aR, kg, klevel xin
  knorm  = 0.4 / tanh(0.4 * kg)
  ; dcblock: decaying sine bursts (kick, toms) are slightly lopsided; with
  ; 0.9995 it cuts only below ~4 Hz, so the kick keeps its weight
  aL     dcblock tanh(aL * kg) * knorm * klevel, 0.9995
  aR     dcblock tanh(aR * kg) * knorm * klevel, 0.9995
  xout aL, aR
endop

; The groups to their channels: toms 1-2 (main), kick 3-4, snare 5-6, hats
; 7-8. Always on (started in the header).
instr Master
  kdrive port chnget:k("drive"), 0.02, chnget:i("drive")
  klevel port ampdb(chnget:k("level")), 0.02, ampdb(chnget:i("level"))
  kg     = 1 + 9 * kdrive
  a1, a2 Bus gaTomL, gaTomR, kg, klevel
  a3, a4 Bus gaKickL, gaKickR, kg, klevel
  a5, a6 Bus gaSnareL, gaSnareR, kg, klevel
  a7, a8 Bus gaHatL, gaHatR, kg, klevel
  outch 1, a1, 2, a2, 3, a3, 4, a4, 5, a5, 6, a6, 7, a7, 8, a8
  clear gaTomL, gaTomR, gaKickL, gaKickR, gaSnareL, gaSnareR, gaHatL, gaHatR
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Multi-Out Drum Kit"
author = "Csound Plug"
description = "The Synth Drum Kit with kick, snare and hats on their own outputs for separate mixer channels (toms on the main one); with the extra outputs off the whole kit plays on the main output."
category = "Drums & Sequencers"
tags = ["drums", "808", "kit", "multi-out", "general-midi"]
[buses]
fold = true
outputs = ["Toms", "Kick", "Snare", "Hats"]
</CsoundPlug>
</CsoundSynthesizer>
