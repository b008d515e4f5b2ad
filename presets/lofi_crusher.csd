<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Lo-Fi Crusher - worn tape and early digital sampler in one box.
; Signal flow: wow & flutter (a delay line whose time wobbles, like an uneven
; tape speed) -> sample-rate reduction (sample & hold) -> bit-depth reduction
; -> tape hiss -> tone low-pass -> dry/wet mix.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; Host parameters: chn_k "name", 1 (input), type (1 int, 2 lin, 3 exp), default, min, max.
; The chnset after each one writes the default for plain csound (the plugin does it itself).
chn_k "bits", 1, 2, 8, 3, 16               ; bit depth (in-between values give in-between step sizes)
chnset 8, "bits"
chn_k "samplerate", 1, 3, 12000, 1000, 48000 ; Hz, the rate of the sample & hold
chnset 12000, "samplerate"
chn_k "noise", 1, 2, 0.25, 0, 1            ; tape hiss amount
chnset 0.25, "noise"
chn_k "wow", 1, 2, 0.3, 0, 1               ; depth of wow (slow) and flutter (fast) pitch wobble
chnset 0.3, "wow"
chn_k "tone", 1, 3, 6000, 500, 20000       ; Hz, low-pass on the crushed sound
chnset 6000, "tone"
chn_k "mix", 1, 2, 1, 0, 1                 ; 0 = dry only, 1 = crushed only
chnset 1, "mix"

massign 0, 0            ; an effect: host notes must not start any instrument
alwayson "LoFi"

giSine ftgen 0, 0, 8192, 10, 1

; Read a host parameter and smooth it (half-time ihtim) against zipper noise.
; A one-pole lowpass that starts at the current value.
opcode SmoothChn, k, Si
  Sname, ihtim xin
  istart chnget Sname
  icoef  = 1 - pow(0.5, ksmps / (sr * ihtim))
  kval   chnget Sname
  kout   init istart
  kout   = kout + (kval - kout) * icoef
  xout kout
endop

instr LoFi
  aInL, aInR ins

  kbits  SmoothChn "bits", 0.02
  kbits  limit kbits, 3, 16
  ksrate SmoothChn "samplerate", 0.02
  ksrate limit ksrate, 1000, sr
  knoise SmoothChn "noise", 0.02
  knoise limit knoise, 0, 1
  kwow   SmoothChn "wow", 0.05
  kwow   limit kwow, 0, 1
  ktone  SmoothChn "tone", 0.02
  ktone  limit ktone, 500, 20000
  kmix   SmoothChn "mix", 0.02
  kmix   limit kmix, 0, 1

  ; --- wow & flutter: modulated delay (same wobble on both sides, like one tape) ---
  ; A delay whose time moves by d(t) = A sin(2 pi f t) shifts the pitch by up
  ; to 2 pi f A. At wow = 1: wow 0.55 Hz, 3 ms (about +-1 %, 18 cents), a slow
  ; random drift of up to 1.5 ms, and flutter 7 Hz, 0.07 ms (+-0.3 %).
  ibase  = 6                                   ; ms, centre of the wobble
  aWow   poscil 3, 0.55, giSine
  aDrift rspline -1.5, 1.5, 0.2, 0.6
  aFlut  poscil 0.07, 7, giSine
  aDel   = ibase + (aWow + aDrift + aFlut) * kwow
  aL     vdelay3 aInL, aDel, 20
  aR     vdelay3 aInR, aDel, 20

  ; --- sample-rate reduction: hold each sample for sr/samplerate samples ---
  ; (fold allows fractional ratios; no anti-alias filter: the aliasing IS the sound)
  kratio = sr / ksrate
  aL     fold aL, kratio
  aR     fold aR, kratio

  ; --- bit-depth reduction: round to 2^bits levels across -1..+1 ---
  ; rounding to the nearest step is symmetric around 0, so it adds no DC
  kstep  = pow(2, 1 - kbits)
  aL     = round(aL / kstep) * kstep
  aR     = round(aR / kstep) * kstep
  ; a sine held at a whole fraction of its own frequency (or a low sine at
  ; very few bits) can alias down to a constant: remove any DC that makes
  aL     dcblock aL, 0.9995
  aR     dcblock aR, 0.9995

  ; --- tape hiss: independent white noise on each side, amount squared for a
  ; finer control at low settings (noise 1 = about -25 dBFS RMS) ---
  kna    = 0.1 * knoise * knoise
  aNL    rand kna, 0.1234, 1
  aNR    rand kna, 0.5678, 1
  aL     = aL + aNL
  aR     = aR + aNR

  ; --- tone: 12 dB/octave low-pass, dulls the hiss and the aliasing ---
  aL     butterlp aL, ktone
  aR     butterlp aR, ktone

  ; --- mix: the dry signal is delayed by the wobble's centre time, so dry
  ; and wet line up (no comb filtering) when both are heard ---
  aDryL  delay aInL, ibase / 1000
  aDryR  delay aInR, ibase / 1000
  outs aDryL * (1 - kmix) + aL * kmix, aDryR * (1 - kmix) + aR * kmix
endin

</CsInstruments>
<CsScore>
; no events: the effect runs from "alwayson"
</CsScore>
<CsoundPlug>
name = "Lo-Fi Crusher"
author = "Csound Plug"
description = "Makes drums, keys or a whole mix sound like an old sampler on worn tape: fewer bits, lower sample rate, hiss, wobbling pitch and a dull top."
category = "Effects"
tags = ["lofi", "bitcrusher", "tape", "wow", "flutter", "degrade"]
</CsoundPlug>
</CsoundSynthesizer>
