# A root module deploying Ferry's trigger next to an existing user pool:
#
#   make lambda
#   terraform init && terraform apply -var user_pool_id=eu-west-1_AbCdEf123
#   $(terraform output -raw attach_command)
#   ferry preflight --user-pool-id eu-west-1_AbCdEf123 --config ferry.yaml

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region of the pool."
  type        = string
  default     = "eu-west-1"
}

variable "user_pool_id" {
  description = "The existing pool whose users migrate; empty to create a new pool."
  type        = string
  default     = ""
}

variable "legacy_dsn_secret_arn" {
  description = "Secrets Manager secret holding the legacy database DSN."
  type        = string
  default     = ""
}

module "ferry" {
  source = "../../modules/ferry-trigger"

  function_name    = "ferry-migrate"
  lambda_zip       = "${path.root}/../../../../bin/ferry-lambda-arm64.zip"
  ferry_config     = file("${path.root}/ferry.yaml")
  secret_arns      = var.legacy_dsn_secret_arn != "" ? [var.legacy_dsn_secret_arn] : []
  create_user_pool = var.user_pool_id == ""
  user_pool_id     = var.user_pool_id

  tags = {
    app = "ferry"
  }
}

output "trigger_arn" {
  value = module.ferry.trigger_arn
}

output "user_pool_id" {
  value = module.ferry.user_pool_id
}

output "attach_command" {
  value = module.ferry.attach_command
}
