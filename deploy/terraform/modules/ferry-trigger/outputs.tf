output "function_arn" {
  description = "The function."
  value       = aws_lambda_function.this.arn
}

output "trigger_arn" {
  description = "The live alias: the ARN the pool's UserMigration trigger names."
  value       = aws_lambda_alias.live.arn
}

output "role_arn" {
  description = "The function's role."
  value       = aws_iam_role.this.arn
}

output "user_pool_id" {
  description = "The pool allowed to invoke the trigger (created or given)."
  value       = local.pool_id
}

output "user_pool_client_id" {
  description = "The created app client, or null for an existing pool."
  value       = var.create_user_pool ? aws_cognito_user_pool_client.this[0].id : null
}

output "attach_command" {
  description = "How to set an existing pool's trigger, keeping its other settings."
  value       = var.create_user_pool ? "nothing to do: the created pool names the trigger" : "ferry attach --user-pool-id ${var.user_pool_id} --function-arn ${aws_lambda_alias.live.arn}"
}
