terraform {
  cloud {
    organization = "acme"
  }
}

provider "aws" {
  region = "eu-west-1"
  access_key = "AKIADW3AOFWEA6H2A655"
  secret_key = "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"
}

provider "datadog" {
  api_key = var.datadog_api_key
  app_key = var.datadog_app_key
}

provider "cloudflare" {
  api_token = "5mgSpZLtVrmNqGIgT7jhO-Mao9zE8O7APBOKDL8j"
}

resource "aws_db_instance" "main" {
  engine   = "postgres"
  username = "app"
  password = "sL2m*w4XSaFnrjAmo2%Y-yCr"
  kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/56e8859e-04ab-d46c-4bec-ee0e3b3dabc7"
}
provider "digitalocean" {
  token = "dop_v1_8618b3fb415d9c0e633afe100f87e054b92833fc4aef2c74f647e1f469047d66"
}
