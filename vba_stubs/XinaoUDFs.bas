Attribute VB_Name = "XinaoUDFs"
' 由 xinao-xl addin stubs 根据 xinao_xl.excel.udfs 的 UDF_SPECS 生成，请勿手改
' 每个函数只把参数转给 Python（xlwings 导入函数时生成的同一写法），不含业务逻辑
#Const App = "Microsoft Excel" 'Adjust when using outside of Excel
Function ALLOWANCE(base, score)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        ALLOWANCE = XLPy.CallUDF("xinao_xl.excel.udfs", "ALLOWANCE", Array(base, score), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        ALLOWANCE = XLPy.CallUDF("xinao_xl.excel.udfs", "ALLOWANCE", Array(base, score))
        Exit Function
    #End If
failed:
    ALLOWANCE = Err.Description
End Function

Function BONUS_PRAISE(count, Optional media_points)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        BONUS_PRAISE = XLPy.CallUDF("xinao_xl.excel.udfs", "BONUS_PRAISE", Array(count, media_points), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        BONUS_PRAISE = XLPy.CallUDF("xinao_xl.excel.udfs", "BONUS_PRAISE", Array(count, media_points))
        Exit Function
    #End If
failed:
    BONUS_PRAISE = Err.Description
End Function

Function CALLBACK_QUOTA(business, completed)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        CALLBACK_QUOTA = XLPy.CallUDF("xinao_xl.excel.udfs", "CALLBACK_QUOTA", Array(business, completed), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        CALLBACK_QUOTA = XLPy.CallUDF("xinao_xl.excel.udfs", "CALLBACK_QUOTA", Array(business, completed))
        Exit Function
    #End If
failed:
    CALLBACK_QUOTA = Err.Description
End Function

Function COMPANY_ITEM(department, score)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        COMPANY_ITEM = XLPy.CallUDF("xinao_xl.excel.udfs", "COMPANY_ITEM", Array(department, score), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        COMPANY_ITEM = XLPy.CallUDF("xinao_xl.excel.udfs", "COMPANY_ITEM", Array(department, score))
        Exit Function
    #End If
failed:
    COMPANY_ITEM = Err.Description
End Function

Function DEDUCT_COMPLAINT(Optional level, Optional channel, Optional responsible)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_COMPLAINT = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_COMPLAINT", Array(level, channel, responsible), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_COMPLAINT = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_COMPLAINT", Array(level, channel, responsible))
        Exit Function
    #End If
failed:
    DEDUCT_COMPLAINT = Err.Description
End Function

Function DEDUCT_DAYS(actual_days, limit_days, Optional per_day)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_DAYS = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_DAYS", Array(actual_days, limit_days, per_day), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_DAYS = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_DAYS", Array(actual_days, limit_days, per_day))
        Exit Function
    #End If
failed:
    DEDUCT_DAYS = Err.Description
End Function

Function DEDUCT_LATE_FLOW(count)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_LATE_FLOW = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_LATE_FLOW", Array(count), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_LATE_FLOW = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_LATE_FLOW", Array(count))
        Exit Function
    #End If
failed:
    DEDUCT_LATE_FLOW = Err.Description
End Function

Function DEDUCT_MYSTERY(score, Optional standard)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_MYSTERY = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_MYSTERY", Array(score, standard), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_MYSTERY = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_MYSTERY", Array(score, standard))
        Exit Function
    #End If
failed:
    DEDUCT_MYSTERY = Err.Description
End Function

Function DEDUCT_PLATFORM(rate, kind)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_PLATFORM = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_PLATFORM", Array(rate, kind), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_PLATFORM = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_PLATFORM", Array(rate, kind))
        Exit Function
    #End If
failed:
    DEDUCT_PLATFORM = Err.Description
End Function

Function DEDUCT_RATE(actual, target, Optional per_point)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_RATE = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_RATE", Array(actual, target, per_point), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_RATE = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_RATE", Array(actual, target, per_point))
        Exit Function
    #End If
failed:
    DEDUCT_RATE = Err.Description
End Function

Function DEDUCT_SATISFACTION(rate, Optional target)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEDUCT_SATISFACTION = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_SATISFACTION", Array(rate, target), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEDUCT_SATISFACTION = XLPy.CallUDF("xinao_xl.excel.udfs", "DEDUCT_SATISFACTION", Array(rate, target))
        Exit Function
    #End If
failed:
    DEDUCT_SATISFACTION = Err.Description
End Function

Function DEPT_GRADE(levels)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEPT_GRADE = XLPy.CallUDF("xinao_xl.excel.udfs", "DEPT_GRADE", Array(levels), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEPT_GRADE = XLPy.CallUDF("xinao_xl.excel.udfs", "DEPT_GRADE", Array(levels))
        Exit Function
    #End If
failed:
    DEPT_GRADE = Err.Description
End Function

Function DEPT_SCORE(deductions, Optional bonuses)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEPT_SCORE = XLPy.CallUDF("xinao_xl.excel.udfs", "DEPT_SCORE", Array(deductions, bonuses), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEPT_SCORE = XLPy.CallUDF("xinao_xl.excel.udfs", "DEPT_SCORE", Array(deductions, bonuses))
        Exit Function
    #End If
failed:
    DEPT_SCORE = Err.Description
End Function

Function DEPT_WEIGHT(department)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEPT_WEIGHT = XLPy.CallUDF("xinao_xl.excel.udfs", "DEPT_WEIGHT", Array(department), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DEPT_WEIGHT = XLPy.CallUDF("xinao_xl.excel.udfs", "DEPT_WEIGHT", Array(department))
        Exit Function
    #End If
failed:
    DEPT_WEIGHT = Err.Description
End Function

Function DUE_DATE(start, stage, Optional major)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DUE_DATE = XLPy.CallUDF("xinao_xl.excel.udfs", "DUE_DATE", Array(start, stage, major), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        DUE_DATE = XLPy.CallUDF("xinao_xl.excel.udfs", "DUE_DATE", Array(start, stage, major))
        Exit Function
    #End If
failed:
    DUE_DATE = Err.Description
End Function

Function SLA_STATUS(due, Optional done, Optional now)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SLA_STATUS = XLPy.CallUDF("xinao_xl.excel.udfs", "SLA_STATUS", Array(due, done, now), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        SLA_STATUS = XLPy.CallUDF("xinao_xl.excel.udfs", "SLA_STATUS", Array(due, done, now))
        Exit Function
    #End If
failed:
    SLA_STATUS = Err.Description
End Function

Function WORKDAY_CN(start, days)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        WORKDAY_CN = XLPy.CallUDF("xinao_xl.excel.udfs", "WORKDAY_CN", Array(start, days), ActiveWorkbook, Application.Caller)
        Exit Function
    #Else
        WORKDAY_CN = XLPy.CallUDF("xinao_xl.excel.udfs", "WORKDAY_CN", Array(start, days))
        Exit Function
    #End If
failed:
    WORKDAY_CN = Err.Description
End Function

