import { z } from 'zod';
import { providerCommonShape } from '../provider-config.ts';

/** A provider entry of `type: emqx` in the config. */
export const emqxConfigSchema = z.strictObject({
  ...providerCommonShape,
  type: z.literal('emqx'),
  /** Platform API key and secret (Basic auth) */
  credentials: z.strictObject({ key: z.string().min(1), secret: z.string().min(1) }),
});
export type EmqxConfig = z.output<typeof emqxConfigSchema>;

/** `GET /deployments/{id}` → 200. Only `status` is needed; the other documented fields are kept loosely. */
export const emqxDeploymentSchema = z.looseObject({
  deploymentID: z.string().optional(),
  deploymentName: z.string().optional(),
  status: z.string().min(1),
});
export type EmqxDeployment = z.output<typeof emqxDeploymentSchema>;

/** `POST /deployments/{id}/start|stop` → 201. */
export const emqxActionSchema = z.looseObject({
  deploymentID: z.string().optional(),
  deploymentName: z.string().optional(),
  operation: z.string(),
});

/** Error bodies: undocumented; `code` (string or number) is what the official Terraform provider reads. */
export const emqxErrorSchema = z.looseObject({
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
});
