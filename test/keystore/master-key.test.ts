import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  MasterKeyError,
  openKeystore,
  putScopedSecret,
  rotateMasterKey,
  useSecret,
  type KeyringSources,
} from "../../src/keystore/index.js";
import { describeEachDatabase } from "../helpers/databases.js";

const clock = { now: () => new Date() };
const audit = { orgId: "org", actor: "system", sourceIp: null, requestId: null };

describeEachDatabase("master key", (suite) => {
  let dataDir: string;
  let fileSources: KeyringSources;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-keys-"));
    fileSources = { envKey: undefined, envPreviousKey: undefined, dataDir };
    await suite.handle().db.deleteFrom("secrets").execute();
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function storeSecrets(
    sources: KeyringSources,
    count: number,
  ): Promise<Map<string, string>> {
    const keystore = await openKeystore(suite.handle().db, clock, sources);
    const values = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      const value = `value-${i}-${randomBytes(8).toString("hex")}`;
      await putScopedSecret(keystore, suite.handle().db, "org", {
        path: `keys/system/s${i}`,
        type: "password",
        value,
        actor: "system",
      });
      values.set(`keys/system/s${i}`, value);
    }
    return values;
  }

  async function expectReadable(
    sources: KeyringSources,
    values: Map<string, string>,
  ): Promise<void> {
    const keystore = await openKeystore(suite.handle().db, clock, sources);
    for (const [p, value] of values) {
      expect(await useSecret(keystore, "org", p, { auditContext: audit, purpose: "test" })).toBe(
        value,
      );
    }
  }

  it("generates master.key with mode 0600 on the first start", async () => {
    await openKeystore(suite.handle().db, clock, fileSources);
    const file = path.join(dataDir, "master.key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64")).toHaveLength(32);
  });

  it("refuses to start with a wrong key, naming both key ids", async () => {
    await storeSecrets({ ...fileSources, envKey: randomBytes(32).toString("base64") }, 1);
    const wrong = openKeystore(suite.handle().db, clock, {
      ...fileSources,
      envKey: randomBytes(32).toString("hex"),
    });
    await expect(wrong).rejects.toThrow(MasterKeyError);
    await expect(wrong).rejects.toThrow(/is not the one the database's secrets are wrapped by/);
  });

  it("refuses to start without the key instead of generating a new one", async () => {
    await storeSecrets(fileSources, 1);
    fs.rmSync(path.join(dataDir, "master.key"));
    await expect(openKeystore(suite.handle().db, clock, fileSources)).rejects.toThrow(
      /no master key was found: set SWITCHBOARD_MASTER_KEY or restore master.key/,
    );
    expect(fs.existsSync(path.join(dataDir, "master.key"))).toBe(false);
  });

  it("refuses a malformed key with a line naming the variable", async () => {
    await expect(
      openKeystore(suite.handle().db, clock, { ...fileSources, envKey: "too-short" }),
    ).rejects.toThrow(/SWITCHBOARD_MASTER_KEY: expected 32 random bytes as base64/);
  });

  it("loses nothing when a file-based rotation crashes halfway, and finishes when run again", async () => {
    const values = await storeSecrets(fileSources, 7);
    const oldKey = fs.readFileSync(path.join(dataDir, "master.key"), "utf8");
    const crash = rotateMasterKey(suite.handle().db, fileSources, {
      afterRow: (done) => {
        if (done === 3) throw new Error("simulated crash");
      },
    });
    await expect(crash).rejects.toThrow("simulated crash");
    expect(fs.existsSync(path.join(dataDir, "master.key.next"))).toBe(true);
    // A restart in the middle reads everything, with both keys.
    await expectReadable(fileSources, values);

    const result = await rotateMasterKey(suite.handle().db, fileSources);
    expect(result.rewrapped).toBe(4);
    expect(fs.existsSync(path.join(dataDir, "master.key.next"))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, "master.key"), "utf8")).not.toBe(oldKey);
    await expectReadable(fileSources, values);
    expect(fs.readFileSync(path.join(dataDir, "master.key.previous"), "utf8")).toBe(oldKey);
    await expect(
      openKeystore(suite.handle().db, clock, { ...fileSources, envKey: oldKey }),
    ).rejects.toThrow(MasterKeyError);
    // Once the previous key is deleted, the new key alone reads everything.
    fs.rmSync(path.join(dataDir, "master.key.previous"));
    await expectReadable(fileSources, values);
  });

  it("rotates an environment key with the old one as SWITCHBOARD_MASTER_KEY_PREVIOUS", async () => {
    const oldKey = randomBytes(32).toString("base64");
    const newKey = randomBytes(32).toString("base64");
    const values = await storeSecrets({ ...fileSources, envKey: oldKey }, 5);
    const sources = { ...fileSources, envKey: newKey, envPreviousKey: oldKey };
    await expect(
      rotateMasterKey(suite.handle().db, sources, {
        afterRow: (done) => {
          if (done === 2) throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
    await expectReadable(sources, values);
    expect((await rotateMasterKey(suite.handle().db, sources)).rewrapped).toBe(3);
    await expectReadable({ ...fileSources, envKey: newKey }, values);
  });
});
