Attribute VB_Name = "XinaoRibbon"
' Callbacks of the add-in's ribbon tab: each button only passes its id to Python
' (xinao_xl.excel.ribbon.dispatch), which does the work and shows the result. No business logic.
Option Explicit

' Every button's onAction in customUI14.xml
Public Sub OnRibbon(control As IRibbonControl)
    Dim blocked As String
    blocked = BlockedMessage(ActiveWorkbook)
    If blocked <> "" Then
        ShowMessage blocked, AddinText("title")
        Exit Sub
    End If
    RunPython RibbonCommand(control.Id)
End Sub

' Why a button cannot run now, or "" when it can. xlwings' RunPython reads ActiveWorkbook (its
' path, its settings) without checking it: with no workbook open ActiveWorkbook is Nothing and
' Excel would stop with run-time error 91. The message comes from Python (XinaoText).
Public Function BlockedMessage(ByVal book As Object) As String
    If book Is Nothing Then
        BlockedMessage = AddinText("no_workbook")
    Else
        BlockedMessage = ""
    End If
End Function

' The Python command of a button id. Single quotes: on Windows xlwings puts the command in
' python -c "...", where a double quote would end the argument
Public Function RibbonCommand(ByVal controlId As String) As String
    RibbonCommand = "import xinao_xl.excel.ribbon as r; r.dispatch('" & controlId & "')"
End Function
