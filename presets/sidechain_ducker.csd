<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Side-chain Ducker: the main input gets quieter while the side-chain input
; is loud, the classic "pumping" of a pad or bass under a kick, or music
; under a voice-over. Route the key signal (the kick, the voice) to the
; plugin's side-chain input; Csound hears the main input on channels 1-2 and
; the side-chain on 3-4.
;
; The side-chain's level is followed with the attack and release times; above
; the threshold the main input is turned down, reaching the full depth 6 dB
; above it (a soft knee). With no side-chain the main input passes unchanged.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 4
0dbfs = 1

alwayson "Ducker"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
chn_k "threshold", 1, 2, -30, -60, 0   ; dBFS of the side-chain where ducking starts
chnset -30, "threshold"
chn_k "depth", 1, 2, 12, 0, 48         ; dB the main input goes down by
chnset 12, "depth"
chn_k "attack", 1, 3, 5, 0.5, 100      ; ms to duck
chnset 5, "attack"
chn_k "release", 1, 3, 200, 10, 2000   ; ms to come back
chnset 200, "release"
chn_k "listen", 1, 1, 0, 0, 1          ; 1 = hear the side-chain instead (to set it up)
chnset 0, "listen"

; score-mode notes (the command line's --midi) play instr 1: they land here and do
; nothing, instead of starting a second copy of the processor
instr 1
endin

instr Ducker
  aL, aR, aKeyL, aKeyR inch 1, 2, 3, 4
  ; the key's level: the louder side, followed with the attack and release
  akey   = max(abs(aKeyL), abs(aKeyR))
  iatt   = chnget:i("attack") / 1000
  irel   = chnget:i("release") / 1000
  kenv   = downsamp(follow2(akey, iatt, irel))
  kover  = dbamp(max(kenv, 0.00001)) - chnget:k("threshold")
  ; 0 below the threshold, 1 from 6 dB above it
  kamount limit kover / 6, 0, 1
  kgain  = ampdb(-chnget:k("depth") * kamount)
  again  interp kgain
  if chnget:k("listen") == 1 then
    outs aKeyL, aKeyR
  else
    outs aL * again, aR * again
  endif
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Side-chain Ducker"
author = "Csound Plug"
description = "Turns the main input down while the side-chain input is loud: pumping pads under a kick, music under a voice. Needs the plugin's side-chain input."
category = "Effects"
tags = ["side-chain", "ducking", "dynamics", "pumping"]
[buses]
inputs = ["Input", "Key"]
</CsoundPlug>
</CsoundSynthesizer>
