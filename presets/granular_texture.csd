<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Granular Cloud: each note becomes a cloud of short overlapping grains at the
; note's pitch. The grains are cut from a source table holding 1024 cycles of
; a rich tone whose harmonics swell and fade along the table; played at the
; note's pitch these swells become a slow shimmer, livelier up the keyboard.
; Each note's grains start around a scan position that drifts through the
; table ("spray" scatters them around it), and a slowly wandering low-pass
; keeps the colour moving. Two clouds with different random grains go left
; and right.
; Host notes arrive as score events: p4 = MIDI key, p5 = velocity (1-127),
; p6 = MIDI channel, p7 = frequency in Hz; each note lasts until its note-off.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "density", 1, 3, 30, 2, 150        ; grains per second: sparse droplets to a smooth cloud
chnset 30, "density"
chn_k "size", 1, 3, 0.12, 0.02, 0.5      ; seconds: length of each grain
chnset 0.12, "size"
chn_k "detune", 1, 2, 10, 0, 100         ; cents: random pitch scatter of the grains
chnset 10, "detune"
chn_k "spray", 1, 2, 0.3, 0, 1           ; scatter of where each grain starts: smooth tone to diffuse shimmer
chnset 0.3, "spray"
chn_k "spread", 1, 2, 0.8, 0, 1          ; stereo width: mono to two independent clouds
chnset 0.8, "spread"
chn_k "attack", 1, 3, 0.4, 0.01, 4       ; seconds: fade-in of the cloud
chnset 0.4, "attack"
chn_k "release", 1, 3, 1.5, 0.05, 6      ; seconds: fade-out after the note-off
chnset 1.5, "release"

; The source tables: 262144 samples holding 1024 cycles of the tone (256
; samples per cycle), so that one pass through the table at f / 1024 Hz plays
; the tone at pitch f.
; Harmonic k is a pair of sines at 1024k - d and 1024k + d cycles: together
; they make harmonic k exactly, but its level swells and fades 2d times along
; the table (d = 1, 2 or 3; 0 for the fundamental, which stays steady).
; Levels: a gentle 1/k slope with a soft vocal-like bump around harmonic 3-5.
; Three versions (16, 6 and 2 harmonics) for higher and higher notes, so the
; grains never alias; they are built here as GEN09 argument lists
; (partial number, strength, phase in degrees), one row of six per harmonic.
giCycles = 1024
iArgs16[] init 16 * 6
ik = 1
while ik <= 16 do
  iamp = (1 / ik) * (1 + 0.8 * exp(-((ik - 4) ^ 2) / 4))
  id   = (ik == 1 ? 0 : 1 + ik % 3)
  ii   = (ik - 1) * 6
  iArgs16[ii]     = giCycles * ik - id
  iArgs16[ii + 1] = iamp / 2
  iArgs16[ii + 2] = (ik == 1 ? 0 : (ik * 97) % 360)
  iArgs16[ii + 3] = giCycles * ik + id
  iArgs16[ii + 4] = iamp / 2
  iArgs16[ii + 5] = (ik == 1 ? 0 : (ik * 151) % 360)
  ik += 1
od
; the smaller versions: the same partials, silent above their limit
iArgs6[] = iArgs16
iArgs2[] = iArgs16
ik = 1
while ik <= 16 do
  ii = (ik - 1) * 6
  iArgs6[ii + 1] = (ik <= 6 ? iArgs16[ii + 1] : 0)
  iArgs6[ii + 4] = (ik <= 6 ? iArgs16[ii + 4] : 0)
  iArgs2[ii + 1] = (ik <= 2 ? iArgs16[ii + 1] : 0)
  iArgs2[ii + 4] = (ik <= 2 ? iArgs16[ii + 4] : 0)
  ik += 1
od
giSrc16 ftgen 0, 0, 262144, 9, iArgs16
giSrc6  ftgen 0, 0, 262144, 9, iArgs6
giSrc2  ftgen 0, 0, 262144, 9, iArgs2
; the grain envelope: a Hanning window
giWin   ftgen 0, 0, 8192, 20, 2, 1

instr 1
  ifreq  = p7
  ivel   = p5 / 127
  iamp   = 0.48 * ivel ^ 1.2

  ; pick the richest source whose top harmonic stays below 19 kHz, even
  ; with the grains detuned upward by the full 100 cents
  ifn    = (ifreq * 16 * 1.06 < 19000 ? giSrc16 : (ifreq * 6 * 1.06 < 19000 ? giSrc6 : giSrc2))

  kdens  port chnget:k("density"), 0.02, chnget:i("density")
  ksize  port chnget:k("size"), 0.02, chnget:i("size")
  kdet   port chnget:k("detune"), 0.02, chnget:i("detune")
  kspray port chnget:k("spray"), 0.02, chnget:i("spray")
  ; spray acts on a cubic curve: low values only loosen the grains' phases
  ; (a smooth tone becomes airy); higher values scatter the grains across
  ; the source (up to +-half the table) for a diffuse, shimmering cloud
  kpmd   = 0.5 * kspray ^ 3
  kspread port chnget:k("spread"), 0.02, chnget:i("spread")

  ; grain3 plays the table as one "cycle" at kcps Hz; the table holds 1024
  ; cycles of the tone, so kcps = f / 1024. The pitch scatter is in Hz of kcps.
  kcps   = ifreq / giCycles
  kfmd   = kcps * (cent(kdet) - 1)
  ; the scan position drifts through the table (one pass in 40 s, from a
  ; random start) in steps of whole cycles: with imode 64 (below) a smooth
  ; drift would add its speed, 1024 * 0.025 = 25.6 Hz, to the pitch
  kpos   phasor 0.025, random:i(0, 1)
  kpos   = int(kpos * giCycles) / giCycles
  ; two clouds with their own random seeds: one for each side
  iseed1 = int(random:i(1, 1000000))
  iseed2 = iseed1 + 7919
  ; grains overlap about density * size times: scale the level so that a
  ; thin or a thick cloud is about as loud
  kgain  = 1 / sqrt(max(kdens * ksize, 1))
  ; imode 64 starts each grain in phase with a steady oscillator at kcps, so
  ; overlapping grains agree on the pitch (otherwise grains launched at a
  ; steady rate would impose their own rate on the pitch); spray then adds
  ; random offsets to the start, which loosens them into a cloud
  a1     grain3 kcps, kpos, kfmd, kpmd, ksize, kdens, 160, ifn, giWin, 0, 0, iseed1, 64
  a2     grain3 kcps, kpos, kfmd, kpmd, ksize, kdens, 160, ifn, giWin, 0, 0, iseed2, 64

  ; stereo: with spread 1 each side gets its own cloud; towards 0 both sides
  ; get the same mix (the angle keeps the loudness even)
  kang   = (1 - kspread) * $M_PI / 4
  aL     = a1 * cos(kang) + a2 * sin(kang)
  aR     = a2 * cos(kang) + a1 * sin(kang)

  ; a low-pass that wanders slowly between 3 and 23 times the pitch
  kwand  randi 1.5, 0.15, random:i(0, 1)
  kcut   = limit(ifreq * 2 ^ (3 + kwand), 200, 18000)
  aL     butterlp aL, kcut
  aR     butterlp aR, kcut
  ; very short grains on low notes (shorter than a cycle) carry some DC
  aL     dcblock aL, 0.9995
  aR     dcblock aR, 0.9995

  aenv   madsr chnget:i("attack"), 0.1, 1, chnget:i("release")
  kg     = kgain * iamp
  outs aL * aenv * kg, aR * aenv * kg
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Granular Cloud"
author = "Csound Plug"
description = "A shimmering, slowly evolving granular pad at the pitch you play: hold long notes and chords, and shape the cloud with density, grain size and scatter."
category = "Synths"
tags = ["granular", "pad", "texture", "ambient", "evolving"]
</CsoundPlug>
</CsoundSynthesizer>
