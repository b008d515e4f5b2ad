<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Stereo Tools - a utility for fixing and shaping the stereo image.
; Signal flow: phase invert -> swap L/R -> width (mid/side) -> bass mono
; (side high-pass) -> balance -> output gain -> correlation meter.
; At the default settings the input passes through bit-exactly.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; Host parameters: chn_k "name", 1 (input), type (1 int, 2 lin, 3 exp), default, min, max.
; The chnset after each one writes the default for plain csound (the plugin does it itself).
chn_k "width", 1, 2, 1, 0, 2          ; 0 = mono, 1 = unchanged, 2 = extra wide
chnset 1, "width"
chn_k "balance", 1, 2, 0, -1, 1       ; -1 = left only, 0 = centre, 1 = right only
chnset 0, "balance"
chn_k "swap", 1, 1, 0, 0, 1           ; 1 = exchange left and right
chnset 0, "swap"
chn_k "invertl", 1, 1, 0, 0, 1        ; 1 = flip the polarity of the left input
chnset 0, "invertl"
chn_k "invertr", 1, 1, 0, 0, 1        ; 1 = flip the polarity of the right input
chnset 0, "invertr"
chn_k "bassmono", 1, 2, 0, 0, 500     ; Hz: the side signal below this is removed (0 = off)
chnset 0, "bassmono"
chn_k "gain", 1, 2, 0, -24, 24        ; output gain in dB
chnset 0, "gain"
; Output channel for a meter: +1 = mono/in phase, 0 = unrelated, -1 = out of phase.
chn_k "correlation", 2, 2, 0, -1, 1

massign 0, 0            ; an effect: host notes must not start any instrument
alwayson "StereoTools"

; Read a host parameter and smooth it (half-time ihtim) against zipper noise.
; A one-pole lowpass that starts at the current value, so a constant setting
; passes exactly. (portk's own start value is ignored when it is negative.)
opcode SmoothChn, k, Si
  Sname, ihtim xin
  istart chnget Sname
  icoef  = 1 - pow(0.5, ksmps / (sr * ihtim))
  kval   chnget Sname
  kout   init istart
  kout   = kout + (kval - kout) * icoef
  xout kout
endop

instr StereoTools
  aL, aR ins

  ; --- polarity: each toggle fades its gain from +1 to -1 (no click) ---
  kinvL SmoothChn "invertl", 0.01
  kinvR SmoothChn "invertr", 0.01
  aL = aL * (1 - 2 * kinvL)
  aR = aR * (1 - 2 * kinvR)

  ; --- swap: a short crossfade from (L, R) to (R, L) ---
  kswap SmoothChn "swap", 0.01
  aSL = aL * (1 - kswap) + aR * kswap
  aSR = aR * (1 - kswap) + aL * kswap

  ; --- width: mid/side written as a 2x2 matrix ---
  ; mid M = (L+R)/2 and side S = (L-R)/2; the new side is S * width, so
  ; L' = M + S*w = L*(1+w)/2 + R*(1-w)/2 (and mirrored for R'). In this form
  ; width 1 gives L' = L exactly and width 0 gives L' = R' = (L+R)/2 exactly.
  kw SmoothChn "width", 0.02
  kw limit kw, 0, 2
  ka = (1 + kw) * 0.5
  kb = (1 - kw) * 0.5
  aWL = aSL * ka + aSR * kb
  aWR = aSR * ka + aSL * kb

  ; --- bass mono: the side signal goes through a Linkwitz-Riley high-pass ---
  ; (two 2nd-order Butterworths in a row, 24 dB/octave), so everything below the
  ; frequency ends up in the centre. The mid signal is left untouched: the mono
  ; sum L+R stays exactly the same and no phase shift is added to centred sounds.
  kxf chnget "bassmono"
  ixf chnget "bassmono"
  ion = (ixf >= 1 ? 1 : 0)
  kmix = (kxf >= 1 ? 1 : 0)                  ; below 1 Hz the crossover is off
  kmix portk kmix, 0.01, ion                 ; fade the crossover in and out (0..1)
  kfc SmoothChn "bassmono", 0.02             ; glide the frequency
  kfc limit kfc, 20, 500                     ; the filters never see 0 Hz
  aM = (aWL + aWR) * 0.5
  aS = (aWL - aWR) * 0.5
  aShi butterhp aS, kfc
  aShi butterhp aShi, kfc
  ; when off (kmix = 0) the unfiltered signal passes exactly
  aBL = aWL * (1 - kmix) + (aM + aShi) * kmix
  aBR = aWR * (1 - kmix) + (aM - aShi) * kmix

  ; --- balance: turn one side down, the other stays at unity ---
  kbal SmoothChn "balance", 0.02
  kbal limit kbal, -1, 1
  kgl = (kbal > 0 ? 1 - kbal : 1)
  kgr = (kbal < 0 ? 1 + kbal : 1)

  ; --- output gain (smoothed in dB, so it moves evenly) ---
  kdb SmoothChn "gain", 0.02
  kg = ampdb(kdb)
  aOL = aBL * (kgl * kg)
  aOR = aBR * (kgr * kg)
  outs aOL, aOR

  ; --- correlation meter: sum(L*R) / sqrt(sum(L^2) * sum(R^2)) ---
  ; averaged with 1.5 Hz one-pole lowpasses (about 100 ms of memory).
  ; The tiny constant keeps the averages away from denormal numbers in silence.
  kLR = k(tone(aOL * aOR + 1e-20, 1.5))
  kLL = k(tone(aOL * aOL + 1e-20, 1.5))
  kRR = k(tone(aOR * aOR + 1e-20, 1.5))
  if kLL < 1e-10 || kRR < 1e-10 then
    kcorr = 0                                ; a silent side: nothing to compare
  else
    kcorr = kLR / sqrt(kLL * kRR)
  endif
  kcorr limit kcorr, -1, 1
  chnset kcorr, "correlation"
endin

</CsInstruments>
<CsScore>
; no events: the effect runs from "alwayson"
</CsScore>
<CsoundPlug>
name = "Stereo Tools"
author = "Csound Plug"
description = "Insert on any stereo track to narrow or widen the image, keep the bass in mono, swap or phase-flip channels, balance and trim the level; shows the L/R correlation."
category = "Utilities"
tags = ["stereo", "width", "mid-side", "utility", "mono", "correlation"]
</CsoundPlug>
</CsoundSynthesizer>
