import type { ProviderDefinition } from './provider.ts';
import { clickhouseDefinition } from './clickhouse/clickhouse-definition.ts';
import { cloudsigmaDefinition } from './cloudsigma/cloudsigma-definition.ts';
import { emqxDefinition } from './emqx/emqx-definition.ts';
import { ultipaDefinition } from './ultipa/ultipa-definition.ts';
import { upcloudDefinition } from './upcloud/upcloud-definition.ts';

/** Every provider offhours knows. Adding one is one folder and one line here. */
export const providerDefinitions: readonly ProviderDefinition<any>[] = [
  emqxDefinition,
  clickhouseDefinition,
  upcloudDefinition,
  cloudsigmaDefinition,
  ultipaDefinition,
];

export function providerDefinition(type: string): ProviderDefinition<any> | undefined {
  return providerDefinitions.find((definition) => definition.type === type);
}
