<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Phaser: the input goes through a chain of allpass filters (they shift its
; phase, not its level) and is mixed back with the dry signal; where the two are
; out of phase they cancel, and an LFO sweeps those notches up and down.
; Every two stages make one notch.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "stages", 1, 1, 6, 2, 12          ; allpass stages: 6 gives 3 notches
chnset 6, "stages"
chn_k "rate", 1, 3, 0.3, 0.02, 10       ; Hz: sweeps per second
chnset 0.3, "rate"
chn_k "sync", 1, 1, 0, 0, 1             ; 1: a sweep lasts 1/4, 1/2, 1, 2 ... 16 beats, locked to the host's bar
chnset 0, "sync"
chn_k "depth", 1, 2, 0.7, 0, 1          ; sweep range, up to 2.5 octaves either side of centre
chnset 0.7, "depth"
chn_k "center", 1, 3, 600, 100, 4000    ; Hz: the middle of the sweep
chnset 600, "center"
chn_k "feedback", 1, 2, 0.5, -0.9, 0.9  ; sharper, vowel-like notches (negative: hollower)
chnset 0.5, "feedback"
chn_k "mix", 1, 2, 0.5, 0, 1            ; 0.5 gives the deepest notches
chnset 0.5, "mix"

massign 0, 0
alwayson "Phaser"

instr Phaser
  krate  chnget "rate"
  kdepth port chnget:k("depth"), 0.02, chnget:i("depth")
  kcent  port chnget:k("center"), 0.02, chnget:i("center")
  kfb    port chnget:k("feedback"), 0.02, chnget:i("feedback")
  kmix   port chnget:k("mix"), 0.02, chnget:i("mix")

  ; the LFO's phase, 0..1
  kphs   phasor krate
  if chnget:k("sync") == 1 then
    kbpm   = chnget:k("HOST_BPM")
    kbpm   = (kbpm > 0 ? kbpm : 120)                  ; 120 BPM when not hosted
    ; beats per sweep: the power of two nearest to what "rate" asks for
    kbeats = limit(2 ^ round(log2(kbpm / 60 / krate)), 0.25, 16)
    if chnget:k("IS_PLAYING") == 1 then
      kphs = frac(chnget:k("HOST_PPQ_POS") / kbeats)  ; locked to the song position
    else
      kphs phasor kbpm / 60 / kbeats                   ; stopped or not hosted: free-running
    endif
  endif
  ; sine LFO; the right side runs a quarter cycle ahead for a wide stereo sweep
  klfoL = sin(2 * $M_PI * kphs)
  klfoR = sin(2 * $M_PI * (kphs + 0.25))
  ; exponential sweep: depth 1 goes 2.5 octaves above and below the centre
  kfreqL = limit(kcent * 2 ^ (2.5 * kdepth * klfoL), 20, 18000)
  kfreqR = limit(kcent * 2 ^ (2.5 * kdepth * klfoR), 20, 18000)

  ainL, ainR ins

  ; phaser1 reads its number of stages only at init time, so a new "stages"
  ; value re-initialises the filters
  if changed2(chnget:k("stages")) == 1 then
    reinit Filters
  endif
Filters:
  istages = round(limit(chnget:i("stages"), 1, 12))
  awetL phaser1 ainL, kfreqL, istages, kfb
  awetR phaser1 ainR, kfreqR, istages, kfb
  rireturn

  ; feedback makes resonant peaks: turn the phased signal down to match
  kgain = 1 - 0.4 * abs(kfb)
  ; equal-power mix: the level stays about the same across the range
  kdry  = cos(kmix * $M_PI / 2)
  kwet  = sin(kmix * $M_PI / 2) * kgain
  outs ainL * kdry + awetL * kwet, ainR * kdry + awetR * kwet
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Phaser"
author = "Csound Plug"
description = "A classic swirling stereo phaser for guitars, electric pianos and pads; turn on sync to sweep in time with the song."
category = "Effects"
tags = ["phaser", "modulation", "stereo", "tempo-sync"]
</CsoundPlug>
</CsoundSynthesizer>
