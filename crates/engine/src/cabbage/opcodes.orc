; Cabbage's own opcodes, for patches written for Cabbage. Widgets are host parameters
; here: a widget's value is its channel; other identifiers are accepted.

opcode cabbagePlugReport, 0, S
  ; Says once per engine that an identifier is accepted but not shown.
  SIdent xin
  SFlag sprintf "cabbage.reported.%s", SIdent
  if chnget:i(SFlag) == 0 then
    prints "cabbage: the identifier '%s' is accepted; the editor does not show it\n", SIdent
    chnset 1, SFlag
  endif
endop

opcode cabbagePlugIdent, S, S
  ; The identifier of "ident(args)": the text before the first '('.
  SCode xin
  iOpen strindex SCode, "("
  if iOpen > 0 then
    SIdent strsub SCode, 0, iOpen
  else
    SIdent = SCode
  endif
  xout SIdent
endop

opcode cabbagePlugValueOf, i, S
  ; The number in "value(x)", else -1.
  SCode xin
  iOpen strindex SCode, "value("
  iValue = -1
  if iOpen >= 0 then
    SRest strsub SCode, iOpen + 6
    iClose strindex SRest, ")"
    if iClose > 0 then
      SNumber strsub SRest, 0, iClose
      iValue strtod SNumber
    endif
  endif
  xout iValue
endop

; cabbageGetValue: a widget's value is its channel.
opcode cabbageGetValue, i, S
  SName xin
  iValue chnget SName
  xout iValue
endop

opcode cabbageGetValue, k, S
  SName xin
  kValue chnget SName
  xout kValue
endop

opcode cabbageGetValue, kk, So
  ; The trigger is 1 on the k-cycles the value changed (and on the first with a
  ; non-zero second argument).
  SName, iFirst xin
  kLast init chnget:i(SName)
  kFirst init iFirst > 0 ? 1 : 0
  kValue chnget SName
  kTrig = (kValue != kLast ? 1 : kFirst)
  kFirst = 0
  kLast = kValue
  xout kValue, kTrig
endop

opcode cabbageGetValue, S, S
  SName xin
  SValue chnget SName
  xout SValue
endop

opcode cabbageGetValue, Sk, S
  ; The trigger is 1 on the k-cycles the text changed.
  SName xin
  SLast chnget SName
  SValue chngetks SName
  kTrig strcmpk SValue, SLast
  kTrig = (kTrig != 0 ? 1 : 0)
  if kTrig == 1 then
    SLast strcpyk SValue
  endif
  xout SValue, kTrig
endop

; cabbageSetValue: sets the widget's channel.
opcode cabbageSetValue, 0, Si
  SName, iValue xin
  chnset iValue, SName
endop

opcode cabbageSetValue, 0, SkP
  ; Only while the trigger's whole part is exactly 1 (no init pass), as Cabbage does.
  SName, kValue, kTrig xin
  if int(kTrig) == 1 && timeinstk() > 0 then
    chnset kValue, SName
  endif
endop

opcode cabbageSetValue, 0, SS
  SName, SValue xin
  chnset SValue, SName
endop

opcode cabbageSetValue, 0, SSk
  SName, SValue, kTrig xin
  if int(kTrig) == 1 then
    chnsetks SValue, SName
  endif
endop

; cabbageSet: "value(x)" and the identifier "value" set the channel; other identifiers
; are accepted.
opcode cabbageSet, 0, SS
  SName, SCode xin
  iValue cabbagePlugValueOf SCode
  if iValue != -1 then
    chnset iValue, SName
  else
    cabbagePlugReport cabbagePlugIdent(SCode)
  endif
endop

opcode cabbageSet, 0, SSi
  SName, SIdent, i1 xin
  if strcmp(SIdent, "value") == 0 then
    chnset i1, SName
  else
    cabbagePlugReport SIdent
  endif
endop

opcode cabbageSet, 0, SSii
  SName, SIdent, i1, i2 xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, SSiii
  SName, SIdent, i1, i2, i3 xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, SSiiii
  SName, SIdent, i1, i2, i3, i4 xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, SSS
  SName, SIdent, SValue xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, kSS
  ; Fires on a non-zero trigger (also at init), as Cabbage's string form does.
  kTrig, SName, SCode xin
  iValue cabbagePlugValueOf SCode
  if iValue == -1 then
    cabbagePlugReport cabbagePlugIdent(SCode)
  elseif i(kTrig) != 0 then
    chnset iValue, SName
  endif
  if iValue != -1 && kTrig != 0 then
    chnset k(iValue), SName
  endif
endop

opcode cabbageSet, 0, kSSk
  ; Fires when the trigger is exactly 1.
  kTrig, SName, SIdent, k1 xin
  iIsValue = strcmp(SIdent, "value") == 0 ? 1 : 0
  if iIsValue == 0 then
    cabbagePlugReport SIdent
  endif
  if iIsValue == 1 && kTrig == 1 then
    chnset k1, SName
  endif
endop

opcode cabbageSet, 0, kSSkk
  kTrig, SName, SIdent, k1, k2 xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, kSSkkk
  kTrig, SName, SIdent, k1, k2, k3 xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, kSSkkkk
  kTrig, SName, SIdent, k1, k2, k3, k4 xin
  cabbagePlugReport SIdent
endop

opcode cabbageSet, 0, kSSS
  kTrig, SName, SIdent, SValue xin
  cabbagePlugReport SIdent
endop

; cabbageGet: "value" is the channel; other identifiers read 0 or "".
opcode cabbageGet, i, SS
  SName, SIdent xin
  iValue = 0
  if strcmp(SIdent, "value") == 0 then
    iValue chnget SName
  else
    cabbagePlugReport SIdent
  endif
  xout iValue
endop

opcode cabbageGet, k, SS
  SName, SIdent xin
  iIsValue = strcmp(SIdent, "value") == 0 ? 1 : 0
  if iIsValue == 0 then
    cabbagePlugReport SIdent
  endif
  kValue = 0
  if iIsValue == 1 then
    kValue chnget SName
  endif
  xout kValue
endop

opcode cabbageGet, kk, SS
  SName, SIdent xin
  kValue cabbageGet SName, SIdent
  kLast init i(kValue)
  kTrig = (kValue != kLast ? 1 : 0)
  kLast = kValue
  xout kValue, kTrig
endop

opcode cabbageGet, S, SS
  SName, SIdent xin
  cabbagePlugReport SIdent
  xout ""
endop

opcode cabbageGet, k, S
  SName xin
  kValue chnget SName
  xout kValue
endop

opcode cabbageGet, kk, S
  SName xin
  kValue, kTrig cabbageGetValue SName
  xout kValue, kTrig
endop

opcode cabbageGet, S, S
  SName xin
  SValue chnget SName
  xout SValue
endop

; File names, for a path given as a string (an absolute path).
opcode cabbageGetFilename, S, S
  SPath xin
  iSlash strrindex SPath, "/"
  SName strsub SPath, iSlash + 1
  xout SName
endop

opcode cabbageGetFilePath, S, S
  SPath xin
  iSlash strrindex SPath, "/"
  if iSlash > 0 then
    SFolder strsub SPath, 0, iSlash
  else
    SFolder = ""
  endif
  xout SFolder
endop

opcode cabbageGetFileExtension, S, S
  SPath xin
  SName cabbageGetFilename SPath
  iDot strrindex SName, "."
  SExtension = ""
  if iDot >= 0 then
    SExtension strsub SName, iDot
  endif
  xout SExtension
endop

opcode cabbageGetFileNoExtension, S, S
  SPath xin
  SName cabbageGetFilename SPath
  iDot strrindex SName, "."
  if iDot > 0 then
    SName strsub SName, 0, iDot
  endif
  xout SName
endop

; Accepted: the host's MIDI reaches instruments as it is.
opcode cabbageMidiSender, 0, 0
endop

opcode cabbageCreate, 0, SS
  SType, SCode xin
  cabbagePlugReport "cabbageCreate"
endop
