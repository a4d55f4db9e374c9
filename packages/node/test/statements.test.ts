import { readKeyFile, signObject, verifyStatementBundle } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import { base64url } from '@citylink/protocol';
import { generalVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const POLL_MS = 100;
const TEXT = 'We, the undersigned mayors, ask the Legislature to fund election security in every municipality.';

describe('joint statements across five cities', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 6 });
  });
  afterAll(() => net?.close());

  const city = (i: number) => net.cities[i - 1]!;
  const as = (i: number, user = 'mayor') => net.login(city(i), user);

  it('drafts, amends, signs, withdraws, finalizes and delivers; every node holds the same final bytes', async () => {
    const originator = await as(1);
    const invited = ['t-city-2', 't-city-3', 't-city-4', 't-city-5'];
    const { id } = await originator.statements.create.mutate({
      title: 'Fund election security',
      text: TEXT,
      addressees: ['Governor', 'State Legislature'],
      invited,
      includeHub: true,
    });
    await net.processAll();

    // An invited city proposes an amendment; the originator revises once, then accepts it.
    const c2 = await as(2);
    const amended = `${TEXT} We also ask for a standing grant program for small towns.`;
    const { id: proposal } = await c2.statements.comment.mutate({
      id,
      comment: 'Small towns need a standing program.',
      proposedText: amended,
    });
    await net.processAll();
    await originator.statements.revise.mutate({ id, text: TEXT.replace('every municipality', 'every city and town') });
    await net.processAll();
    // The originator reviews the amendment as a diff against the current revision, not as a whole text.
    const current = (await originator.statements.get.query({ id })).revisions.at(-1)!;
    const review = await originator.statements.diff.query({ id, from: current.id, to: proposal });
    const changed = (change: string) =>
      review.parts
        .filter((d) => d.change === change)
        .map((d) => d.text)
        .join('');
    expect(review.wordByWord).toBe(true);
    expect(changed('added')).toContain('grant program');
    expect(changed('added')).toContain('municipality');
    expect(changed('removed')).toContain('town');
    await expect(originator.statements.diff.query({ id, from: current.id, to: 'A'.repeat(43) })).rejects.toThrow(
      /compare a revision/,
    );
    const { revision } = await originator.statements.decide.mutate({ id, proposal, decision: 'accepted' });
    await net.processAll();
    let state = await originator.statements.get.query({ id });
    expect(state.revisions.map((r) => r.number)).toEqual([1, 2, 3]);
    expect(state.revisions[2]).toMatchObject({ id: revision, text: amended });
    expect(state.comments[0]!.decision).toEqual({ decision: 'accepted', revision, reason: null });
    const diff = await originator.statements.diff.query({ id, from: state.revisions[0]!.id, to: revision! });
    expect(diff.wordByWord).toBe(true);
    expect(
      diff.parts
        .filter((d) => d.change === 'added')
        .map((d) => d.text)
        .join(''),
    ).toContain('grant program');

    const { textHash } = await originator.statements.openSignOn.mutate({ id, deadline: inAnHour() });
    await net.processAll();

    for (const i of [1, 2, 3, 4]) {
      const mayor = await as(i);
      await mayor.statements.sign.mutate({ id, name: `Mayor ${i}`, title: 'Mayor' });
    }
    await net.processAll();
    await (await as(4)).statements.withdraw.mutate({ id, reason: 'council vote pending' });
    await net.processAll();
    state = await originator.statements.get.query({ id });
    expect(state.signers.map((s) => [s.node, s.status])).toEqual([
      ['t-city-1', 'signed'],
      ['t-city-2', 'signed'],
      ['t-city-3', 'signed'],
      ['t-city-4', 'withdrawn'],
      ['t-city-5', 'not signed'],
    ]);

    const { id: finalId } = await originator.statements.finalize.mutate({ id });
    await net.processAll();
    await originator.statements.recordDelivery.mutate({
      id,
      to: 'Office of the Governor',
      method: 'hand',
      deliveredAt: new Date().toISOString(),
    });
    await net.processAll();

    const finalBytes = new Set<string>();
    for (const node of [net.hub, ...[1, 2, 3, 4, 5].map(city)]) {
      finalBytes.add((await node.store.getObject(finalId))!.jws);
      const seen = await node.statements.state(id);
      expect(seen?.phase, node.id).toBe('delivered');
      expect(seen?.final?.textHash, node.id).toBe(textHash);
    }
    expect(finalBytes.size).toBe(1);
    expect(await city(6).store.getObject(finalId)).toBeNull();

    // A late signer (before the deadline) goes into an addendum; the final stays as delivered.
    await (await as(5)).statements.sign.mutate({ id, name: 'Mayor 5', title: 'Mayor' });
    await net.processAll();
    await expect(originator.statements.finalize.mutate({ id })).rejects.toThrow(/already final/);
    await originator.statements.finalize.mutate({ id, addendum: true });
    await net.processAll();
    const late = await (await as(2)).statements.get.query({ id });
    expect(late.final?.id).toBe(finalId);
    expect(late.final?.signatures).toHaveLength(3);
    expect(late.addenda).toHaveLength(1);
    expect(late.addenda[0]!.signatures).toHaveLength(1);

    // The exported bundle verifies offline, with our verifier and with plain jose.
    const { bundle, document, html } = await originator.statements.export.query({ id });
    expect(document.signatures).toHaveLength(3);
    const report = await verifyStatementBundle(bundle, { hubFingerprint: net.hub.keyId });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.signers.map((s) => (s.ok ? s.node : s.reason))).toEqual(['t-city-1', 't-city-2', 't-city-3']);
    expect(report.addressees).toEqual(['Governor', 'State Legislature']);
    // The bundle's unsigned title and addressees must say what was signed.
    const retitled = await verifyStatementBundle({ ...bundle, title: 'Defund election security' });
    expect(retitled.ok).toBe(false);
    expect(retitled.problems).toContain('the bundle’s title differs from the title in the signed text');
    expect(retitled.title).toBe('Fund election security');
    const readdressed = await verifyStatementBundle({ ...bundle, addressees: ['Governor'] });
    expect(readdressed.ok).toBe(false);
    expect(readdressed.problems).toContain('the bundle’s addressees differ from the addressees in the signed text');
    for (const i of [1, 2, 3]) {
      const key = await readKeyFile(net.configOf(`t-city-${i}`).keyFile);
      const verified = await generalVerify(document, await importJWK(key.publicJwk, 'EdDSA'));
      expect(JSON.parse(new TextDecoder().decode(verified.payload)).text).toBe(amended);
    }
    expect(html).toContain('Mayor 2');
    expect(html).toContain(textHash.slice(0, 4));

    // Tampering names the signer it breaks.
    const tamperedText = structuredClone(bundle);
    const doc = JSON.parse(new TextDecoder().decode(base64url.decode(tamperedText.document.payload)));
    doc.text = doc.text.replace('fund', 'defund');
    tamperedText.document.payload = base64url.encode(new TextEncoder().encode(JSON.stringify(doc)));
    const t1 = await verifyStatementBundle(tamperedText);
    expect(t1.ok).toBe(false);
    expect(t1.signers.every((s) => !s.ok)).toBe(true);

    const tamperedBlock = structuredClone(bundle);
    const entry = tamperedBlock.document.signatures[1]!;
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(entry.protected)));
    header.block.name = 'Somebody Else';
    entry.protected = base64url.encode(new TextEncoder().encode(JSON.stringify(header)));
    const t2 = await verifyStatementBundle(tamperedBlock);
    expect(t2.signers.map((s) => s.ok)).toEqual([true, false, true]);
    expect(t2.signers[1]).toMatchObject({ node: 't-city-2', ok: false });

    const tamperedSig = structuredClone(bundle);
    const sig = tamperedSig.document.signatures[2]!;
    sig.signature = sig.signature.startsWith('A') ? `B${sig.signature.slice(1)}` : `A${sig.signature.slice(1)}`;
    const t3 = await verifyStatementBundle(tamperedSig);
    expect(t3.signers.map((s) => s.ok)).toEqual([true, true, false]);
    expect(t3.signers[2]).toMatchObject({ node: 't-city-3' });
  });

  it('enforces who may sign, what counts, and the deadline', async () => {
    const originator = await as(1);
    const { id } = await originator.statements.create.mutate({
      title: 'Second letter',
      text: 'First text.',
      addressees: ['Congressional delegation'],
      invited: ['t-city-2', 't-city-3'],
      includeHub: false,
    });
    await originator.statements.openSignOn.mutate({ id, deadline: inAnHour() });
    await net.processAll();

    // A staff account is not the mayor.
    const staff = await as(2, 'staff');
    await expect(staff.statements.sign.mutate({ id, name: 'X', title: 'Clerk' })).rejects.toThrow(/roles: signer/);
    // And `can` said so beforehand: the console offers the mayor, not the staff account, a Sign button.
    expect((await staff.statements.get.query({ id })).can.sign).toBe(false);
    expect((await (await as(2)).statements.get.query({ id })).can).toEqual({
      sign: true,
      withdraw: false,
      comment: true,
      manage: false,
    });
    expect((await originator.statements.get.query({ id })).can.manage).toBe(true);

    // A city that was not invited cannot see, comment on or sign it — over the API or by pushing objects.
    const outsider = await as(6);
    await expect(outsider.statements.comment.mutate({ id, comment: 'me too' })).rejects.toThrow(/no statement/);
    const key6 = await readKeyFile(net.configOf('t-city-6').keyFile);
    const rogue = await signObject(
      {
        v: 1,
        kind: 'statement-comment',
        origin: 't-city-6',
        created: new Date().toISOString(),
        tlp: 'AMBER',
        audience: ['t-city-1'],
        body: { statement: id, revision: id, comment: 'let me in' },
      },
      key6,
    );
    const [result] = await city(1).inbound.receive([rogue.jws], 't-city-6', 'push');
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'not_authorized' });

    // A signature on a superseded text does not count; the signer is told to re-sign.
    await (await as(2)).statements.sign.mutate({ id, name: 'Mayor 2', title: 'Mayor' });
    await net.processAll();
    await originator.statements.revise.mutate({ id, text: 'Second text.' });
    const deadline = new Date(Date.now() + 2_500).toISOString();
    await originator.statements.openSignOn.mutate({ id, deadline });
    await net.processAll();
    const state = await originator.statements.get.query({ id });
    expect(state.signers.find((s) => s.node === 't-city-2')).toMatchObject({ status: 'must re-sign' });
    expect(state.counted).toEqual([]);

    // After the deadline, signing is refused with a clear error.
    while (Date.now() <= Date.parse(deadline)) await new Promise((r) => setTimeout(r, POLL_MS));
    await expect((await as(3)).statements.sign.mutate({ id, name: 'Mayor 3', title: 'Mayor' })).rejects.toThrow(
      /deadline .* has passed/,
    );
  });
});
