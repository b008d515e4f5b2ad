<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Marimba & Bells: modal synthesis. A struck bar rings at a few frequencies
; (its modes), each dying away at its own rate. Here a mallet pulse excites
; six "mode" resonators. "material" moves the mode frequencies from a tuned
; wooden marimba bar (1 : 4 : 10 ...) to a metal bar (1 : 2.76 : 5.40 ...,
; glockenspiel and bell-like) and makes them ring longer; "hardness" (and
; velocity) sets how bright the mallet is. Notes ring out after the note-off.
; Host notes arrive as score events: p4 = MIDI key, p5 = velocity (1-127),
; p6 = MIDI channel, p7 = frequency in Hz.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "hardness", 1, 2, 0.4, 0, 1        ; mallet: soft yarn (mellow) to hard plastic (bright, clicky)
chnset 0.4, "hardness"
chn_k "material", 1, 2, 0, 0, 1          ; 0 wooden marimba, 1 metal bell
chnset 0, "material"
chn_k "decay", 1, 3, 1.2, 0.2, 6         ; seconds for middle C to fade (metal rings up to 3x longer)
chnset 1.2, "decay"
chn_k "spread", 1, 2, 0.6, 0, 1          ; stereo: low notes left, high notes right, like a marimba
chnset 0.6, "spread"
chn_k "reverb", 1, 2, 0.25, 0, 1         ; reverb send
chnset 0.25, "reverb"

alwayson "Reverb"   ; the shared reverb (defined last, so it runs after the notes)

; mode frequency ratios and levels, wood then metal (index 0 = fundamental)
giRatWood[]  fillarray 1, 3.99, 9.86, 16.2, 24.1, 33.4
giRatMetal[] fillarray 1, 2.756, 5.404, 8.933, 13.34, 18.64
giAmpWood[]  fillarray 1, 0.35, 0.13, 0.05, 0.02, 0.01
giAmpMetal[] fillarray 1, 0.8, 0.6, 0.45, 0.3, 0.2

gaRevL init 0
gaRevR init 0

instr 1
  ifreq  = p7
  ivel   = p5 / 127
  imat   = chnget:i("material")
  ihard  = chnget:i("hardness")

  ; ring time: longer for low notes and for metal
  it60   = chnget:i("decay") * (1 + 2 * imat) * (261.6 / ifreq) ^ 0.4

  ; per mode: frequency (the ratios morph from wood to metal), level, and Q
  ; for its ring time. Wood damps high modes much faster than metal does.
  ; Q = T60 * pi * f / ln(1000), the Q of a resonator ringing T60 seconds.
  iF[]   init 6
  iQ[]   init 6
  iG[]   init 6
  ii = 0
  while ii < 6 do
    iratio = giRatWood[ii] ^ (1 - imat) * giRatMetal[ii] ^ imat
    iF[ii] = ifreq * iratio
    it     = it60 * iratio ^ -(1.1 - 0.7 * imat)
    iQ[ii] = max(it * $M_PI * iF[ii] / 6.91, 1)
    ; modes above 14 kHz are left out
    iG[ii] = (iF[ii] < 14000 ? giAmpWood[ii] * (1 - imat) + giAmpMetal[ii] * imat : 0)
    ; mode's digital resonator rings sharp of the frequency it is given
    ; (+5 cents at 2 kHz): ask for sr/pi * sin(pi * f / sr) to get exactly f
    iF[ii] = sr / $M_PI * sin($M_PI * min(iF[ii], 14000) / sr)
    ii += 1
  od

  ; the mallet: an impulse, low-passed. A soft mallet (and a soft stroke)
  ; passes little above the fundamental; a hard one excites the high modes.
  ihit   = ihard * (0.3 + 0.7 * ivel)
  icut   = min(ifreq * 2 ^ (0.5 + 5 * ihit), 18000)
  aimp   mpulse 1, 0
  aexc   butterlp aimp, icut
  aexc   butterlp aexc, icut
  ; a hard mallet also clicks
  aclick = butterhp(noise(1, 0), 3000) * expseg(1, 0.003, 0.001, 1, 0.001) * ihit ^ 2 * 0.05

  ; the six modes
  a0     mode aexc, iF[0], iQ[0]
  a1     mode aexc, iF[1], iQ[1]
  a2     mode aexc, iF[2], iQ[2]
  a3     mode aexc, iF[3], iQ[3]
  a4     mode aexc, iF[4], iQ[4]
  a5     mode aexc, iF[5], iQ[5]
  abar   = a0 * iG[0] + a1 * iG[1] + a2 * iG[2] + a3 * iG[3] + a4 * iG[4] + a5 * iG[5]

  ; level follows velocity (metal has more strong modes, all the more with
  ; a hard mallet: turn it down to match); the sound rings on after the
  ; note-off (xtratim)
  iamp   = 0.85 * ivel ^ 1.4 / (1 + imat * (0.3 + 0.9 * ihit))
  xtratim it60
  ; a short fade at the very end, so the note never stops with a click
  afade  linseg 1, it60, 1, 0.05, 0
  ; dcblock (cutting below ~4 Hz): the first swing of a struck bar is lopsided
  asig   dcblock (abar + aclick) * iamp * afade, 0.9995

  ; stereo: pan by pitch, C2 to C7 from left to right, as much as "spread" says
  ipan   = 0.5 + chnget:i("spread") * (limit((p4 - 36) / 60, 0, 1) - 0.5)
  aL     = asig * sqrt(1 - ipan)
  aR     = asig * sqrt(ipan)
  outs aL, aR
  isend  = chnget:i("reverb")
  gaRevL += aL * isend
  gaRevR += aR * isend
endin

; A warm hall for the notes' reverb send.
instr Reverb
  aL, aR reverbsc gaRevL, gaRevR, 0.85, 9000
  outs aL * 0.6, aR * 0.6
  clear gaRevL, gaRevR
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Marimba & Bells"
author = "Csound Plug"
description = "Mallet instruments by modal synthesis: a wooden marimba that turns into glockenspiel-like bells with the material control; play melodies and chords."
category = "Drums & Sequencers"
tags = ["marimba", "mallet", "bell", "modal", "percussion"]
</CsoundPlug>
</CsoundSynthesizer>
