Attribute VB_Name = "XinaoText"
' The texts a user sees, read from the add-in's very hidden sheets, which the build writes from
' Python (xinao_xl/excel/addin/texts.py). Cells hold Unicode whatever the VBA code page, so the
' VBA stays ASCII (vba_stubs/README.md).
Option Explicit

Private Const TEXT_SHEET As String = "xinao_xl.text"
Private Const FUNCTIONS_SHEET As String = "xinao_xl.functions"

' The text of a key (column A of xinao_xl.text, text in column B); the key itself when missing,
' so a damaged add-in still says something.
Public Function AddinText(ByVal key As String) As String
    Dim r As Long
    AddinText = key
    r = 1
    Do While SheetCell(TEXT_SHEET, r, 1) <> ""
        If SheetCell(TEXT_SHEET, r, 1) = key Then
            AddinText = SheetCell(TEXT_SHEET, r, 2)
            Exit Function
        End If
        r = r + 1
    Loop
End Function

' Row r of xinao_xl.functions: column 1 the function's name, 2 its description, 3 on the
' descriptions of its arguments; "" past the last row.
Public Function FunctionCell(ByVal r As Long, ByVal c As Long) As String
    FunctionCell = SheetCell(FUNCTIONS_SHEET, r, c)
End Function

' The argument descriptions of row r as an array (MacroOptions' ArgumentDescriptions), or
' Empty when the function has no arguments.
Public Function ArgumentTexts(ByVal r As Long) As Variant
    Dim n As Long, i As Long, texts() As Variant
    n = 0
    Do While FunctionCell(r, 3 + n) <> ""
        n = n + 1
    Loop
    If n = 0 Then
        ArgumentTexts = Empty
        Exit Function
    End If
    ReDim texts(0 To n - 1)
    For i = 0 To n - 1
        texts(i) = FunctionCell(r, 3 + i)
    Next i
    ArgumentTexts = texts
End Function

' A cell of a sheet of this add-in as text; "" when the sheet is missing.
Private Function SheetCell(ByVal sheetName As String, ByVal r As Long, ByVal c As Long) As String
    On Error GoTo missing
    SheetCell = CStr(ThisWorkbook.Worksheets(sheetName).Cells(r, c).Value)
    Exit Function
missing:
    SheetCell = ""
End Function
