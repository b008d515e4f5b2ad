<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Signal Generator - a test source for checking levels, filters and speakers.
; It runs all the time (no notes needed) and adds its signal to whatever comes
; in, so it also works as an insert effect. The same signal goes to both sides.
;   wave 0 = sine, 1 = saw, 2 = square, 3 = white noise, 4 = pink noise,
;        5 = sweep (logarithmic sine sweep, 20 Hz to 20 kHz, then again)
; "level" is the peak level in dBFS: exact for sine and sweep. Saw and square
; never peak above it (up to a few kHz they peak 0.1 - 0.7 dB below it).
; White noise peaks at the level (RMS 4.8 dB lower), pink noise about 2 dB
; below it (RMS about 14 dB lower).
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; Host parameters: chn_k "name", 1 (input), type (1 int, 2 lin, 3 exp), default, min, max.
; The chnset after each one writes the default for plain csound (the plugin does it itself).
chn_k "wave", 1, 1, 0, 0, 5            ; waveform, see the list above
chnset 0, "wave"
chn_k "freq", 1, 3, 1000, 20, 20000    ; Hz, for sine, saw and square
chnset 1000, "freq"
chn_k "level", 1, 2, -18, -60, 0       ; peak level in dBFS
chnset -18, "level"
chn_k "sweeptime", 1, 3, 10, 1, 60     ; seconds for one 20 Hz - 20 kHz sweep
chnset 10, "sweeptime"
chn_k "on", 1, 1, 1, 0, 1              ; 0 = silent (the input still passes)
chnset 1, "on"

massign 0, 0            ; host notes must not start any instrument
alwayson "Generator"

; a large sine table: the table error is far below anything measurable
giSine ftgen 0, 0, 65536, 10, 1

instr Generator
  ; --- read the controls ---
  ; (the i-time readings give each smoother its starting value, so the
  ; defaults are exact from the first sample)
  iwave  chnget "wave"
  iwave  limit round(iwave), 0, 5
  kwave  chnget "wave"
  kwave  limit round(kwave), 0, 5
  ifreq  chnget "freq"
  ifreq  limit ifreq, 20, 20000
  kfreq  chnget "freq"
  kfreq  limit kfreq, 20, 20000
  kfreq  portk kfreq, 0.01, ifreq         ; short glide
  idb    chnget "level"
  idb    limit idb, -60, 0
  kdb    chnget "level"
  kdb    limit kdb, -60, 0
  ; smooth the amplitude, not the dB value: portk ignores a negative start value
  iamp   = ampdb(idb)
  kamp   portk ampdb(kdb), 0.01, iamp     ; peak amplitude
  ktime  chnget "sweeptime"
  ktime  limit ktime, 1, 60
  kon    chnget "on"
  kon    = (kon >= 0.5 ? 1 : 0)
  ; the on/off switch fades over a few ms so it never clicks
  kgate  portk kon, 0.003

  ; --- the sources (each peaking at 1 or just below) ---
  aSine  poscil 1, kfreq, giSine
  ; band-limited saw and square (no aliasing). The scaling keeps their peaks
  ; at or below the level: a band-limited edge overshoots (Gibbs ringing) by
  ; about 1.4 dB, and above 8 kHz a square is only its fundamental, 4/pi times
  ; its height, hence pi/4.
  aSaw   vco2 0.85, kfreq, 0
  aSqr   vco2 $M_PI / 4, kfreq, 10
  aWhite rand 1, 0.5, 1                   ; uniform white noise, 31-bit generator
  aPink  pinker                           ; -3 dB/octave, equal energy per octave

  ; sweep: an exponential ramp of frequency, f = 20 * 1000^x with x going 0 -> 1
  ; in "sweeptime" seconds. It restarts from 20 Hz when it is selected or
  ; switched on, so a measurement always gets a whole sweep.
  kx     init 0
  kstart = ((kwave == 5 && changed2(kwave) == 1) || trigger(kon, 0.5, 0) == 1 ? 1 : 0)
  if kstart == 1 then
    kx = 0
  endif
  kswf   = 20 * exp(kx * log(1000))
  kx     = kx + 1 / (ktime * kr)
  kx     = (kx >= 1 ? kx - 1 : kx)
  aSwp   poscil 1, kswf, giSine

  ; --- waveform menu: each source has a gain that fades in/out over a few ms ---
  k0     portk (kwave == 0 ? 1 : 0), 0.003, (iwave == 0 ? 1 : 0)
  k1     portk (kwave == 1 ? 1 : 0), 0.003, (iwave == 1 ? 1 : 0)
  k2     portk (kwave == 2 ? 1 : 0), 0.003, (iwave == 2 ? 1 : 0)
  k3     portk (kwave == 3 ? 1 : 0), 0.003, (iwave == 3 ? 1 : 0)
  k4     portk (kwave == 4 ? 1 : 0), 0.003, (iwave == 4 ? 1 : 0)
  k5     portk (kwave == 5 ? 1 : 0), 0.003, (iwave == 5 ? 1 : 0)
  aSig   = aSine*k0 + aSaw*k1 + aSqr*k2 + aWhite*k3 + aPink*k4 + aSwp*k5
  aSig   = aSig * (kamp * kgate)

  ; --- add to the input, so it can sit in an effect slot ---
  aInL, aInR ins
  outs aInL + aSig, aInR + aSig
endin

</CsInstruments>
<CsScore>
; no events: the generator runs from "alwayson"
</CsScore>
<CsoundPlug>
name = "Signal Generator"
author = "Csound Plug"
description = "A test tone source: sine, saw, square, white or pink noise, or a 20 Hz-20 kHz sweep (wave 0-5) at a set frequency and peak level, added to the input."
category = "Utilities"
tags = ["test", "tone", "sine", "noise", "sweep", "utility"]
</CsoundPlug>
</CsoundSynthesizer>
