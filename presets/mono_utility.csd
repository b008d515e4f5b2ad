<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Mono Utility: a one-channel patch. On a stereo track it hears the mean of
; left and right (a mono fold-down) and plays the same on both sides, so it
; shows how the plugin fits a mono patch to a stereo bus. Check a mix in mono,
; tame rumble with the low cut, flip the polarity of a mis-wired microphone
; and set the level.
sr = 48000
ksmps = 16
nchnls = 1
nchnls_i = 1
0dbfs = 1

alwayson "MonoUtility"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
chn_k "gain", 1, 2, 0, -24, 12        ; dB
chnset 0, "gain"
chn_k "lowcut", 1, 3, 20, 20, 500     ; Hz: high-pass corner (20 = off)
chnset 20, "lowcut"
chn_k "invert", 1, 1, 0, 0, 1         ; 1 = polarity inverted
chnset 0, "invert"

; score-mode notes (the command line's --midi) play instr 1: they land here and do
; nothing, instead of starting a second copy of the processor
instr 1
endin

instr MonoUtility
  ain    in
  klow   port chnget:k("lowcut"), 0.02, chnget:i("lowcut")
  ; a 12 dB/octave high-pass; at 20 Hz it only keeps DC and rumble out
  afilt  butterhp ain, klow
  ksign  = chnget:k("invert") == 1 ? -1 : 1
  kgain  port ampdb(chnget:k("gain")) * ksign, 0.02
  out afilt * a(kgain)
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Mono Utility"
author = "Csound Plug"
description = "A mono patch: folds a stereo track to mono, with level, polarity and a low cut; plays the same on both sides."
category = "Utilities"
tags = ["mono", "utility", "gain", "polarity", "low-cut"]
</CsoundPlug>
</CsoundSynthesizer>
