variable "function_name" {
  description = "Name of the Lambda function (and of its log group)."
  type        = string
  default     = "ferry-migrate"
}

variable "lambda_zip" {
  description = "Path of the package `make lambda` writes, e.g. bin/ferry-lambda-arm64.zip."
  type        = string
}

variable "architecture" {
  description = "arm64 or x86_64; must match the LAMBDA_ARCH the package was built for (make lambda LAMBDA_ARCH=amd64 for x86_64)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "The architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB. Hash verification is CPU-bound and Lambda's CPU grows with memory: 1024 MB (0.58 vCPU) fits bcrypt up to cost 14 and Argon2/scrypt hashes up to 928 MiB in Ferry's 3 s verification budget. Rule: at least 96 MB plus the largest memory-hard hash the legacy table holds, and 1769 MB (a full vCPU) for bcrypt cost 15."
  type        = number
  default     = 1024
}

variable "timeout" {
  description = "Seconds. Cognito waits 5 s for the trigger, so more is pointless."
  type        = number
  default     = 5

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 5
    error_message = "The timeout must be 1 to 5 seconds: Cognito waits 5 s for the trigger."
  }
}

variable "ferry_config" {
  description = "Ferry's configuration as inline YAML (FERRY_CONFIG). Keep secrets out: use $${aws-sm:...} or $${aws-ssm:...} references."
  type        = string
  default     = ""
  sensitive   = true
}

variable "ferry_config_file" {
  description = "Path of a configuration file inside the function, e.g. /opt/ferry.yaml from a layer (FERRY_CONFIG_FILE)."
  type        = string
  default     = ""
}

variable "secret_arns" {
  description = "Secrets Manager secrets the configuration references."
  type        = list(string)
  default     = []
}

variable "parameter_arns" {
  description = "SSM parameters the configuration references."
  type        = list(string)
  default     = []
}

variable "kms_key_arns" {
  description = "Customer-managed KMS keys encrypting those secrets or parameters."
  type        = list(string)
  default     = []
}

variable "subnet_ids" {
  description = "Subnets for a legacy directory inside a VPC; empty to run outside a VPC."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups of the function in the VPC."
  type        = list(string)
  default     = []
}

variable "reserved_concurrency" {
  description = "Reserved concurrency (it also caps the load on the legacy directory); -1 for none."
  type        = number
  default     = -1
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency on the live alias (no cold starts); 0 for none."
  type        = number
  default     = 0
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
}

variable "create_user_pool" {
  description = "Create a user pool wired to the trigger, with an app client that allows USER_PASSWORD_AUTH."
  type        = bool
  default     = false
}

variable "user_pool_name" {
  description = "Name of the pool created when create_user_pool is true."
  type        = string
  default     = "ferry-pool"
}

variable "user_pool_id" {
  description = "An existing pool allowed to invoke the trigger (then run the attach_command output). Ignored when create_user_pool is true."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
