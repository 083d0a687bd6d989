Attribute VB_Name = "XinaoRibbon"
' 新奥服务选项卡的按钮回调：只把按钮的 id 转给 Python（xinao_xl.excel.ribbon.dispatch），不含业务逻辑
Option Explicit

' customUI14.xml 中每个按钮的 onAction 都是 OnRibbon
Public Sub OnRibbon(control As IRibbonControl)
    RunPython RibbonCommand(control.Id)
End Sub

' 按钮 id 对应的 Python 命令。用单引号：xlwings 在 Windows 上把命令放进 python -c "..."，
' 命令中的双引号会截断这个参数
Public Function RibbonCommand(ByVal controlId As String) As String
    RibbonCommand = "import xinao_xl.excel.ribbon as r; r.dispatch('" & controlId & "')"
End Function
