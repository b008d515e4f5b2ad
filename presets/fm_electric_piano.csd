<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; FM Electric Piano: the classic FM "tine" piano, built from two FM pairs.
;   body pair  carrier 1 : modulator 1   the warm tone; harder playing raises
;                                          the FM index, so loud notes are brighter
;   tine pair  carrier 1 : modulator 14  a short metallic "ding" at the attack
; Notes fade like a real electric piano (higher notes fade faster) and are damped
; at note-off. All notes go through a stereo tremolo (suitcase-style auto-pan).
;
; Host notes: p4 = MIDI key, p5 = velocity, p6 = channel, p7 = frequency in Hz.

sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "brightness", 1, 2, 2.5, 0, 8        ; FM index of the body at full velocity
chnset 2.5, "brightness"
chn_k "tine", 1, 2, 0.5, 0, 1              ; level of the metallic attack
chnset 0.5, "tine"
chn_k "decay", 1, 3, 5, 0.3, 15            ; seconds for a middle-C note to fade by 60 dB
chnset 5, "decay"
chn_k "release", 1, 3, 0.25, 0.03, 2       ; damper time after note-off
chnset 0.25, "release"
chn_k "tremolo_rate", 1, 3, 4, 0.5, 12     ; auto-pan speed in Hz
chnset 4, "tremolo_rate"
chn_k "tremolo_depth", 1, 2, 0.3, 0, 1     ; auto-pan depth (0 = off)
chnset 0.3, "tremolo_depth"

giSine ftgen 0, 0, 8192, 10, 1             ; sine wave for the FM operators
gaPiano init 0                             ; mono bus: all notes -> tremolo
alwayson "Tremolo"

instr 1
  ifreq = p7
  ivel  = p5 / 127
  ibright chnget "brightness"
  itine   chnget "tine"
  idecay  chnget "decay"
  irel    chnget "release"

  ; higher notes fade faster: half the decay time two octaves up
  idec = idecay * 2 ^ (-(p4 - 60) / 24)

  ; --- body pair: FM index falls from its attack value to a softer tone ---
  ; the attack index follows velocity, so playing harder sounds brighter
  indx  = ibright * (0.2 + 0.8 * ivel ^ 1.5)
  kndx  expseg 1, idec * 0.5, 0.25, 1, 0.25     ; (the last flat segment holds 0.25)
  abody foscili 1, ifreq, 1, 1, indx * kndx, giSine

  ; --- tine pair: a high modulator whose index and level die away quickly ---
  ktidx expseg 3, 0.15, 0.3, 1, 0.3
  ktamp expseg 1, 0.25 + 0.1 * ivel, 0.001, 1, 0.001
  atine foscili itine * (0.4 + 0.6 * ivel) * ktamp, ifreq, 1, 14, ktidx, giSine

  ; --- amplitude: 2 ms onset, exponential fade, damper at note-off ---
  ; the fade is a straight line in dB (-60 dB after idec seconds), which is an
  ; exponential curve in amplitude; linseg then holds -120 dB while the key is held
  adb    linseg 0, idec, -60, idec, -120
  adecay = ampdb(adb)
  adamp  linsegr 0, 0.002, 1, irel, 0
  iamp   = 0.31 * ivel ^ 1.3
  gaPiano += (abody + atine) * adecay * adamp * iamp
endin

instr Tremolo
  ; stereo tremolo: one LFO turns the left side down while the right goes up
  krate  portk chnget:k("tremolo_rate"), 0.02
  kdepth portk chnget:k("tremolo_depth"), 0.02
  klfo   poscil 1, krate, giSine
  ; a 1:1 FM pair has a component at 0 Hz (a DC offset): dcblock with 0.9995
  ; removes it, cutting only below ~4 Hz so the bass notes keep their weight
  apiano dcblock gaPiano, 0.9995
  aL = apiano * (1 - kdepth * (0.5 + 0.5 * klfo))
  aR = apiano * (1 - kdepth * (0.5 - 0.5 * klfo))
  outs aL, aR
  gaPiano = 0                    ; clear the bus for the next block
endin

</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "FM Electric Piano"
author = "Csound Plug"
description = "A classic FM tine electric piano with stereo tremolo: play it harder for a brighter bark, great for chords and ballads."
category = "Synths"
tags = ["fm", "keys", "electric piano"]
</CsoundPlug>
</CsoundSynthesizer>
