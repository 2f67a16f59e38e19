# Ferry's user-migration trigger: the function, its least-privilege role,
# the permission for one Cognito user pool to invoke it, and optionally a
# new pool wired to it. For an existing pool the module grants the
# permission and outputs the `ferry attach` command that sets the pool's
# trigger: Terraform can only change a pool it manages, and `ferry attach`
# keeps the pool's other settings as they are.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  pool_id = var.create_user_pool ? aws_cognito_user_pool.this[0].id : var.user_pool_id
  pool_arn = var.create_user_pool ? aws_cognito_user_pool.this[0].arn : format(
    "arn:%s:cognito-idp:%s:%s:userpool/%s",
    data.aws_partition.current.partition, data.aws_region.current.name, data.aws_caller_identity.current.account_id, var.user_pool_id,
  )
  log_group_arn = format(
    "arn:%s:logs:%s:%s:log-group:/aws/lambda/%s",
    data.aws_partition.current.partition, data.aws_region.current.name, data.aws_caller_identity.current.account_id, var.function_name,
  )
  environment = merge(
    var.ferry_config != "" ? { FERRY_CONFIG = var.ferry_config } : {},
    var.ferry_config_file != "" ? { FERRY_CONFIG_FILE = var.ferry_config_file } : {},
  )
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = "${var.function_name}-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "logs" {
  name   = "logs"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.logs.json
}

data "aws_iam_policy_document" "secrets" {
  count = length(var.secret_arns) > 0 ? 1 : 0
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns
  }
}

resource "aws_iam_role_policy" "secrets" {
  count  = length(var.secret_arns) > 0 ? 1 : 0
  name   = "secrets"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.secrets[0].json
}

data "aws_iam_policy_document" "parameters" {
  count = length(var.parameter_arns) > 0 ? 1 : 0
  statement {
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = var.parameter_arns
  }
}

resource "aws_iam_role_policy" "parameters" {
  count  = length(var.parameter_arns) > 0 ? 1 : 0
  name   = "parameters"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.parameters[0].json
}

data "aws_iam_policy_document" "decrypt" {
  count = length(var.kms_key_arns) > 0 ? 1 : 0
  statement {
    actions   = ["kms:Decrypt"]
    resources = var.kms_key_arns
  }
}

resource "aws_iam_role_policy" "decrypt" {
  count  = length(var.kms_key_arns) > 0 ? 1 : 0
  name   = "decrypt"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.decrypt[0].json
}

# Lambda's own ENI management. EC2 has no resource-level permissions for
# these actions, hence "*" (as in AWS's AWSLambdaVPCAccessExecutionRole).
data "aws_iam_policy_document" "vpc" {
  count = length(var.subnet_ids) > 0 ? 1 : 0
  statement {
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "vpc" {
  count  = length(var.subnet_ids) > 0 ? 1 : 0
  name   = "vpc"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.vpc[0].json
}

resource "aws_lambda_function" "this" {
  function_name    = var.function_name
  description      = "Ferry user-migration trigger"
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  role             = aws_iam_role.this.arn
  publish          = true

  reserved_concurrent_executions = var.reserved_concurrency

  dynamic "environment" {
    for_each = length(local.environment) > 0 ? [1] : []
    content {
      variables = local.environment
    }
  }

  dynamic "vpc_config" {
    for_each = length(var.subnet_ids) > 0 ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  tags = var.tags

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.logs,
    aws_iam_role_policy.vpc,
  ]
}

# The trigger names this alias, so provisioned concurrency serves Cognito's
# calls and a new version goes live in one step.
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  count                             = var.provisioned_concurrency > 0 ? 1 : 0
  function_name                     = aws_lambda_function.this.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = var.provisioned_concurrency
}

# Only the one pool, in this account, may invoke the trigger.
resource "aws_lambda_permission" "cognito" {
  statement_id   = "cognito-user-migration"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  qualifier      = aws_lambda_alias.live.name
  principal      = "cognito-idp.amazonaws.com"
  source_arn     = local.pool_arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_cognito_user_pool" "this" {
  count = var.create_user_pool ? 1 : 0
  name  = var.user_pool_name

  # Case-insensitive, so Alice and alice cannot migrate as two users; it
  # cannot be changed after creation.
  username_configuration {
    case_sensitive = false
  }

  auto_verified_attributes = ["email"]

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  schema {
    name                = "legacy_id"
    attribute_data_type = "String"
    mutable             = true
    string_attribute_constraints {
      min_length = 0
      max_length = 2048
    }
  }

  lambda_config {
    user_migration = aws_lambda_alias.live.arn
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_client" "this" {
  count           = var.create_user_pool ? 1 : 0
  name            = "ferry-app"
  user_pool_id    = aws_cognito_user_pool.this[0].id
  generate_secret = false

  # The trigger fires for password sign-ins only, never for SRP.
  explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
}
