package main

import (
	"fmt"
	"os"
)

const githubToken = "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"
const dopplerToken = "dp.pt.cqkLh5wgn5vQxJsaHsieZtdp375zDrSZUEQpnWshw1M"
var dbPassword = os.Getenv("DB_PASSWORD")
var token = os.Getenv("TOKEN")
const dsn = "mysql://shop:jDUy0rqAATOKiETcBX@tcp(10.0.3.4:3306)/shop"
const mongo = "mongodb+srv://svc:JF44YjimMhv4B8chLEGZVBYI@cluster0.ab1cd.mongodb.net/app?retryWrites=true"
const commit = "6904bc1c2f55408e4ff0116b2826715e00f5b91d"
const tfcToken = "0uIzqx73CPBrlO.atlasv1.AdqlxlCfNj4TuOVNNi_bM91EMdOFOZGr0C_HFz-103Lf8W8Yjo7ImSkiGOHE1DDqry9"

func main() {
	fmt.Println("token length", len(token))
}
