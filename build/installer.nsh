; The print-queue-monitor: link protocol, registered by the installer for Windows
; (electron-builder's `protocols` setting registers schemes on macOS only). SHCTX is the
; installation's own part of the registry: HKCU for a per-user install, HKLM for all users.
; The command is what Electron's app.setAsDefaultProtocolClient writes for the installed app
; ("<exe>" "%1"), so the app's own registration at start and this one agree.

!macro customInstall
  WriteRegStr SHCTX "Software\Classes\print-queue-monitor" "" "URL:Print Queue Monitor link"
  WriteRegStr SHCTX "Software\Classes\print-queue-monitor" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\print-queue-monitor\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr SHCTX "Software\Classes\print-queue-monitor\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
!macroend

; Removed with the app, unless the uninstaller runs as part of an update (the new version's
; installer writes it again): links no longer point at a deleted program.
!macro customUnInstall
  ${ifNot} ${isUpdated}
    DeleteRegKey SHCTX "Software\Classes\print-queue-monitor"
  ${endIf}
!macroend
