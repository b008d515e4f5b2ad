<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Plate Reverb: a bright, dense stereo reverb built on reverbsc (an 8-line feedback
; delay network), with a pre-delay, a low cut on what enters the reverb, and a
; decay time set in seconds.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "predelay", 1, 2, 20, 0, 200     ; ms of silence before the reverb starts
chnset 20, "predelay"
chn_k "decay", 1, 3, 2.5, 0.3, 10      ; seconds for the tail to fall by 60 dB
chnset 2.5, "decay"
chn_k "damping", 1, 2, 0.3, 0, 1       ; 0 bright metal plate .. 1 dark and soft
chnset 0.3, "damping"
chn_k "lowcut", 1, 3, 150, 20, 1000    ; Hz: keeps bass out of the reverb (less mud)
chnset 150, "lowcut"
chn_k "width", 1, 2, 1, 0, 1           ; 0 mono tail .. 1 full stereo
chnset 1, "width"
chn_k "mix", 1, 2, 0.3, 0, 1           ; 0 dry .. 0.5 dry + full reverb .. 1 reverb only
chnset 0.3, "mix"

massign 0, 0
alwayson "Plate"

; reverbsc's feedback level for a decay time: a tail falls 60 dB when the loop
; gain has multiplied to 1/1000, so the gain per pass of a loop about 61 ms long
; is 10 ^ (-3 * 0.061 / seconds). (61 ms fits the measured decay of reverbsc.)
opcode DecayToFeedback, k, k
  kdecay xin
  xout limit(10 ^ (-3 * 0.061 / kdecay), 0, 0.995)
endop

; four short allpass filters in series smear each sound into a dense burst
; without colouring it: the plate's quick, diffuse onset (times as in Dattorro's
; plate; iscale detunes the right side from the left)
opcode Diffuse, a, ai
  ain, iscale xin
  a1 alpass ain, 0.1, 0.0048 * iscale
  a2 alpass a1, 0.1, 0.0036 * iscale
  a3 alpass a2, 0.2, 0.0127 * iscale
  a4 alpass a3, 0.2, 0.0093 * iscale
  xout a4
endop

instr Plate
  kpre  port chnget:k("predelay"), 0.05, chnget:i("predelay")
  kdec  port chnget:k("decay"), 0.02, chnget:i("decay")
  kdamp port chnget:k("damping"), 0.02, chnget:i("damping")
  klow  port chnget:k("lowcut"), 0.02, chnget:i("lowcut")
  kwide port chnget:k("width"), 0.02, chnget:i("width")
  kmix  port chnget:k("mix"), 0.02, chnget:i("mix")

  ainL, ainR ins

  ; what goes into the reverb: low cut, then the pre-delay (vdelay3 takes ms)
  apre  = a(kpre)
  asndL vdelay3 butterhp(ainL, klow), apre, 250
  asndR vdelay3 butterhp(ainR, klow), apre, 250

  adifL Diffuse asndL, 1
  adifR Diffuse asndR, 1.13

  ; the reverb: damping sets the low-pass inside the feedback loop, 16 kHz down
  ; to 1.5 kHz, so high frequencies die away faster than lows
  kfco  = 16000 * (1500 / 16000) ^ kdamp
  arvL, arvR reverbsc adifL, adifR, DecayToFeedback(kdec), kfco
  ; the diffused burst fills the first 40 ms, before the delay network answers
  arvL += adifL * 0.5
  arvR += adifR * 0.5

  ; width: keep the middle, scale the sides (mid/side)
  amid  = (arvL + arvR) * 0.5
  aside = (arvL - arvR) * 0.5 * kwide
  awetL = amid + aside
  awetR = amid - aside

  ; mix: the dry level stays full up to 0.5, then fades; the reverb fades in up to 0.5
  kdry = min(1, 2 - 2 * kmix)
  kwet = min(1, 2 * kmix)
  outs ainL * kdry + awetL * kwet, ainR * kdry + awetR * kwet
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Plate Reverb"
author = "Csound Plug"
description = "A bright, dense plate reverb for vocals, snares and keys, with pre-delay and a low cut to keep the mix clean."
category = "Effects"
tags = ["reverb", "plate", "space", "stereo"]
</CsoundPlug>
</CsoundSynthesizer>
