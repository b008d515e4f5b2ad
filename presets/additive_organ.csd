<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Drawbar Organ: an additive tonewheel organ with a rotary speaker.
; Each drawbar adds one sine wave (a "tonewheel") at a harmonic of the note:
;   16' = half the note's frequency   8' = the note   4' = 2x
;   2 2/3' = 3x (a twelfth up)         2' = 4x
; Drawbars go 0..8 like on the real organ; each step is about 3 dB.
; Percussion adds a fast-decaying 3rd harmonic at the start of each note, and
; all notes are mixed into a rotary-speaker ("Leslie") simulation.
; Like a real organ it ignores velocity: every key plays at the same level,
; and its tube amplifier starts to growl when you play big chords.
;
; Host notes: p4 = MIDI key, p5 = velocity, p6 = channel, p7 = frequency in Hz.

sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "bar16", 1, 1, 8, 0, 8         ; drawbar 16' (sub octave)
chnset 8, "bar16"
chn_k "bar8", 1, 1, 8, 0, 8          ; drawbar 8' (fundamental)
chnset 8, "bar8"
chn_k "bar4", 1, 1, 5, 0, 8          ; drawbar 4' (octave)
chnset 5, "bar4"
chn_k "bar2_23", 1, 1, 0, 0, 8       ; drawbar 2 2/3' (twelfth)
chnset 0, "bar2_23"
chn_k "bar2", 1, 1, 3, 0, 8          ; drawbar 2' (two octaves up)
chnset 3, "bar2"
chn_k "percussion", 1, 2, 0.6, 0, 1  ; level of the percussive attack (0 = off)
chnset 0.6, "percussion"
chn_k "leslie", 1, 3, 0.8, 0.3, 7    ; rotor speed in Hz (0.8 slow "chorale", 6.7 fast "tremolo")
chnset 0.8, "leslie"

giSine ftgen 0, 0, 8192, 10, 1
gaOrgan init 0                       ; mono bus: all notes -> the rotary speaker
alwayson "Leslie"

; A tonewheel organ has a limited set of wheels: pitches above about 6 kHz
; "fold back" an octave, and pitches below the lowest wheel fold up.
opcode Wheel, i, i
  ifreq xin
  while ifreq > 6000 do
    ifreq /= 2
  od
  while ifreq < 32 do
    ifreq *= 2
  od
  xout ifreq
endop

; drawbar position (0..8) -> gain: -3 dB per step, silent at 0
opcode Drawbar, k, S
  Sname xin
  kbar chnget Sname
  kgain = (kbar < 0.5 ? 0 : ampdb(3 * (kbar - 8)))
  kgain portk kgain, 0.02            ; smooth, so moving a drawbar never clicks
  xout kgain
endop

instr 1
  ifreq = p7

  ; one sine per drawbar, each at its (folded) harmonic of the note
  a16  poscil Drawbar("bar16"),   Wheel(ifreq * 0.5), giSine
  a8   poscil Drawbar("bar8"),    Wheel(ifreq),       giSine
  a4   poscil Drawbar("bar4"),    Wheel(ifreq * 2),   giSine
  a223 poscil Drawbar("bar2_23"), Wheel(ifreq * 3),   giSine
  a2   poscil Drawbar("bar2"),    Wheel(ifreq * 4),   giSine

  ; percussion: the 3rd harmonic, struck and dying away in about half a second
  iperc chnget "percussion"
  kpenv expseg 1, 0.6, 0.001, 1, 0.001   ; (the flat last segment holds the low value)
  aperc poscil iperc * kpenv, Wheel(ifreq * 3), giSine

  ; 5 ms fade in and 30 ms fade out: fast like a real organ key, but click-free
  aenv linsegr 0, 0.005, 1, 0.03, 0
  gaOrgan += (a16 + a8 + a4 + a223 + a2 + aperc) * aenv * 0.165
endin

instr Leslie
  ; the rotors speed up and slow down gradually, like the real motors
  kspeed chnget "leslie"
  kspeed port kspeed, 0.6

  ; split the sound at 800 Hz: the treble goes to the spinning horn, the bass to
  ; the drum. Two filters in a row on each side (a Linkwitz-Riley crossover) make
  ; the two halves add back up flat, with no dip at the crossover.
  ahi butterhp butterhp(gaOrgan, 800), 800
  alo butterlp butterlp(gaOrgan, 800), 800

  ; each rotor moves its sound towards and away from the listener: the moving
  ; distance changes the delay (pitch wobble) and the level. The drum turns a
  ; little slower than the horn. Left and right mics hear opposite sides.
  ahorn   poscil 1, kspeed, giSine
  ahornc  poscil 1, kspeed, giSine, 0.25          ; same rotor, 90 degrees on
  adrum   poscil 1, kspeed * 0.85, giSine
  ahL = vdelay3(ahi, 1.2 + 0.5 * ahorn, 10) * (0.8 + 0.2 * ahornc)
  ahR = vdelay3(ahi, 1.2 - 0.5 * ahorn, 10) * (0.8 - 0.2 * ahornc)
  adL = vdelay3(alo, 1.2 + 0.2 * adrum, 10) * (0.9 + 0.1 * adrum)
  adR = vdelay3(alo, 1.2 - 0.2 * adrum, 10) * (0.9 - 0.1 * adrum)

  ; the amplifier: tanh saturates gently when many keys and drawbars are up,
  ; like the organ's tube amp, and keeps the output below full scale
  outs 0.95 * tanh(ahL + adL), 0.95 * tanh(ahR + adR)
  gaOrgan = 0                         ; clear the bus for the next block
endin

</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Drawbar Organ"
author = "Csound Plug"
description = "A tonewheel organ with drawbars, percussion and a rotary speaker: play chords and riffs, and raise the leslie speed for the fast swirl."
category = "Synths"
tags = ["organ", "additive", "keys", "leslie"]
</CsoundPlug>
</CsoundSynthesizer>
