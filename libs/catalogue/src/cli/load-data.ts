import { parseArgs } from 'node:util';
import { loadConfigFromProcess } from '@tributary/config';
import { connectMongo } from '@tributary/platform';
import { DataFormatError } from '../parse';
import { defaultDataFiles, loadData } from '../load';

/**
 * Loads a catalogue and user profiles (JSONL, see docs/data-format.md) into MongoDB.
 *   load-data [--catalogue file] [--profiles file] [--tenant id] [--if-empty]
 */
async function main(): Promise<void> {
  const config = loadConfigFromProcess('research-agent');
  const defaults = defaultDataFiles(config.dataDir);
  const { values } = parseArgs({
    options: {
      catalogue: { type: 'string', default: defaults.catalogueFile },
      profiles: { type: 'string', default: defaults.profilesFile },
      tenant: { type: 'string', default: 'default' },
      'if-empty': { type: 'boolean', default: false },
    },
  });
  const connection = await connectMongo(config.mongoUri, config.mongoTimeouts);
  try {
    const result = await loadData({
      connection,
      tenantId: values.tenant,
      catalogueFile: values.catalogue,
      profilesFile: values.profiles,
      ifEmpty: values['if-empty'],
    });
    console.log(
      result.skipped
        ? `data: tenant "${values.tenant}" already has a catalogue and profiles; nothing loaded`
        : `data: loaded ${result.items} catalogue items and ${result.profiles} profiles for tenant "${values.tenant}"`,
    );
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof DataFormatError ? error.message : `load-data failed: ${String(error)}`);
  process.exit(1);
});
