// Operations whose IAM action is not "<prefix>:<OperationName>". AWS's Service Authorization
// Reference names these actions differently from the API (S3 kept its pre-2012 permission
// names; a Delete* often needs the matching Put* action), and some live under another prefix.
// Keys are "<prefix>:<Operation>" as the SDK names them; lookup is case-insensitive.
const EXCEPTIONS: Readonly<Record<string, string>> = {
  "s3:ListBuckets": "s3:ListAllMyBuckets",
  "s3:ListObjects": "s3:ListBucket",
  "s3:ListObjectsV2": "s3:ListBucket",
  "s3:HeadBucket": "s3:ListBucket",
  "s3:HeadObject": "s3:GetObject",
  "s3:SelectObjectContent": "s3:GetObject",
  "s3:ListObjectVersions": "s3:ListBucketVersions",
  "s3:ListMultipartUploads": "s3:ListBucketMultipartUploads",
  "s3:ListParts": "s3:ListMultipartUploadParts",
  "s3:CreateMultipartUpload": "s3:PutObject",
  "s3:UploadPart": "s3:PutObject",
  "s3:UploadPartCopy": "s3:PutObject",
  "s3:CompleteMultipartUpload": "s3:PutObject",
  "s3:CopyObject": "s3:PutObject",
  "s3:DeleteObjects": "s3:DeleteObject",
  "s3:DeleteBucketCors": "s3:PutBucketCORS",
  "s3:DeleteBucketTagging": "s3:PutBucketTagging",
  "s3:DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
  "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
  "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
  "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
  "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
  "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
  "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
  "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
  "s3:PutBucketReplication": "s3:PutReplicationConfiguration",
  "s3:DeleteBucketReplication": "s3:PutReplicationConfiguration",
  "s3:GetBucketNotificationConfiguration": "s3:GetBucketNotification",
  "s3:PutBucketNotificationConfiguration": "s3:PutBucketNotification",
  "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
  "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
  "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
  "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
  "s3:PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
  "s3:GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
  "s3:PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
  "s3:GetBucketAnalyticsConfiguration": "s3:GetAnalyticsConfiguration",
  "s3:ListBucketAnalyticsConfigurations": "s3:GetAnalyticsConfiguration",
  "s3:PutBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
  "s3:DeleteBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
  "s3:GetBucketIntelligentTieringConfiguration": "s3:GetIntelligentTieringConfiguration",
  "s3:ListBucketIntelligentTieringConfigurations": "s3:GetIntelligentTieringConfiguration",
  "s3:PutBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
  "s3:DeleteBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
  "s3:GetBucketInventoryConfiguration": "s3:GetInventoryConfiguration",
  "s3:ListBucketInventoryConfigurations": "s3:GetInventoryConfiguration",
  "s3:PutBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
  "s3:DeleteBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
  "s3:GetBucketMetricsConfiguration": "s3:GetMetricsConfiguration",
  "s3:ListBucketMetricsConfigurations": "s3:GetMetricsConfiguration",
  "s3:PutBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
  "s3:DeleteBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
  "s3:GetBucketMetadataConfiguration": "s3:GetBucketMetadataTableConfiguration",
  "s3:CreateBucketMetadataConfiguration": "s3:CreateBucketMetadataTableConfiguration",
  "s3:DeleteBucketMetadataConfiguration": "s3:DeleteBucketMetadataTableConfiguration",
  "s3:CreateSession": "s3express:CreateSession",
  "s3:ListDirectoryBuckets": "s3express:ListAllMyDirectoryBuckets",
  "s3:WriteGetObjectResponse": "s3-object-lambda:WriteGetObjectResponse",
  "lambda:Invoke": "lambda:InvokeFunction",
  "lambda:InvokeWithResponseStream": "lambda:InvokeFunction",
  "lambda:GetLayerVersionByArn": "lambda:GetLayerVersion",
};

const BY_KEY = new Map(
  Object.entries(EXCEPTIONS).map(([key, action]) => [key.toLowerCase(), action]),
);

/** The IAM action AWS names differently from the operation, if this is one of those. */
export function operationException(prefix: string, operation: string): string | undefined {
  return BY_KEY.get(`${prefix}:${operation}`.toLowerCase());
}

/** For tests: every exception must name an action iam-data knows. */
export const OPERATION_EXCEPTIONS = EXCEPTIONS;
