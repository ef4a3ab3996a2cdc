$ErrorActionPreference = 'Stop'
$env:GITHUB_TOKEN = 'ghp_YgWQeYX11YWWOHjIluUbCVgkKs323j0G4EZU'
$env:AZURE_DEVOPS_EXT_PAT = 'OZfUY207R1dt01uxEo16WajwATtYispfQW78w8gAqil2zGLmKsATxowItvcJUQ5aOwBLDzMyTVWUAZDOf2o8'
$password = Read-Host -AsSecureString 'Password'
$cred = New-Object PSCredential('svc', (ConvertTo-SecureString 'G^JqB_T*q2FfSdE@' -AsPlainText -Force))
Write-Host "Bootstrapped $($env:COMPUTERNAME)"
