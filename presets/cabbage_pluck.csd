<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<Cabbage>
form caption("Cabbage Pluck") size(560, 330), colour(38, 44, 52)
label bounds(14, 8, 320, 24), text("Cabbage Pluck"), fontColour(235, 200, 120), align("left")
label bounds(300, 12, 250, 16), text("a Cabbage section, drawn by the plugin"), fontColour(150, 160, 170), align("right")
groupbox bounds(10, 40, 260, 150), text("String"), colour(30, 34, 41), fontColour(235, 200, 120) {
rslider bounds(10, 30, 75, 95), channel("pluck"), text("Pluck at"), range(0.05, 0.95, 0.3), trackerColour(235, 170, 70)
rslider bounds(92, 30, 75, 95), channel("decay"), text("Sustain"), range(0.5, 8, 3, 0.5), trackerColour(235, 170, 70)
rslider bounds(174, 30, 75, 95), channel("bright"), text("Bright"), range(0, 1, 0.6), trackerColour(235, 170, 70)
}
groupbox bounds(280, 40, 270, 150), text("Body and room"), colour(30, 34, 41), fontColour(235, 200, 120) {
combobox bounds(15, 40, 120, 24), channel("body"), text("Guitar", "Harp", "Koto"), value(1)
checkbox bounds(15, 85, 120, 20), channel("chorus"), text("Chorus"), value(1), colour:1(240, 180, 60)
rslider bounds(165, 30, 85, 95), channel("room"), text("Room"), range(0, 1, 0.3), trackerColour(120, 180, 235)
}
hslider bounds(10, 198, 540, 28), channel("level"), text("Level"), range(0, 1, 0.7), trackerColour(120, 180, 235)
keyboard bounds(10, 236, 540, 84)
</Cabbage>
<CsInstruments>
; Cabbage Pluck: a plucked string (digital waveguide) through a body resonance, a light
; chorus and a room. Its controls are laid out in a <Cabbage> section, which the editor
; draws as a Cabbage form (the Code tab shows this text); the patch reads them with
; chnget, so it also runs in plain Csound. Host notes arrive as score events: p4 = MIDI
; key, p5 = velocity (1-127), p6 = MIDI channel, p7 = frequency in Hz.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; the widgets' defaults, for plain Csound (the plugin and Cabbage set these channels
; from the widgets)
chnset 0.3, "pluck"
chnset 3, "decay"
chnset 0.6, "bright"
chnset 1, "body"
chnset 1, "chorus"
chnset 0.3, "room"
chnset 0.7, "level"

alwayson "Room"   ; chorus and room, for as long as the patch is loaded

gaL init 0   ; the strings' bus, summed by the notes and emptied by "Room"
gaR init 0

instr 1
  ifreq   = p7
  iamp    = 0.35 * (p5 / 127) ^ 1.3
  ; where the string is plucked: near the bridge is thin, the middle is round
  ipluck  = chnget:i("pluck")
  ; seconds for the string to fall by 60 dB, a little shorter up high
  isus    = chnget:i("decay") * (220 / ifreq) ^ 0.25
  irefl   = limit(1 - 6.9 / (isus * ifreq), 0.05, 0.9995)
  astr    wgpluck2 ipluck, iamp, ifreq, 0.25, irefl
  ; brightness: a low-pass that opens with velocity too
  ibright = chnget:i("bright")
  afilt   tone astr, limit(ifreq * (1 + 12 * ibright * p5 / 127), 200, 16000)
  ; the body: two resonances of the chosen instrument
  ibody   = chnget:i("body")
  if1     = (ibody == 2 ? 260 : (ibody == 3 ? 520 : 110))
  if2     = (ibody == 2 ? 1400 : (ibody == 3 ? 2600 : 420))
  abody   = afilt + 0.08 * (reson(afilt, if1, if1 / 3, 1) + reson(afilt, if2, if2 / 4, 1))
  ; a short fade after the note-off, so released notes do not click
  aenv    linsegr 1, 0.05, 1, 0.25, 0
  asig    dcblock abody * aenv
  gaL    += asig
  gaR    += asig
endin

instr Room
  alevel  = a(port(chnget:k("level"), 0.02, chnget:i("level")))
  ; chorus: two slowly moving delays, one per side
  kchorus port chnget:k("chorus"), 0.05
  adl     vdelay3 gaL, 12 + 4 * poscil:a(1, 0.37), 40
  adr     vdelay3 gaR, 14 + 4 * poscil:a(1, 0.31, -1, 0.25), 40
  aL      = gaL + 0.5 * kchorus * adl
  aR      = gaR + 0.5 * kchorus * adr
  ; the room
  kroom   port chnget:k("room"), 0.05
  awl, awr reverbsc aL, aR, 0.75, 9000
  outs (aL + kroom * awl) * alevel, (aR + kroom * awr) * alevel
  gaL = 0
  gaR = 0
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Cabbage Pluck"
author = "Csound Plug"
description = "A plucked string with a body, a chorus and a room, laid out as a Cabbage form: the editor draws its <Cabbage> section, and the same controls are host parameters."
category = "Synths"
tags = ["pluck", "string", "guitar", "cabbage", "waveguide"]
</CsoundPlug>
</CsoundSynthesizer>
