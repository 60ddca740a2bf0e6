import { createChannel, deleteChannel, editChannel, getOwnChannel, listChannels, testChannel } from '../../services/channels';
import { withAccount } from '../auth';
import { createChannelBody, editChannelBody, parseConfig, parseConfigEdit } from '../channel-schemas';
import { parseBody } from '../errors';
import { deliveryEntry } from '../present';
import { channelAnswer, createdChannel } from '../present-channels';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/** The account's channel objects: list and create; read, edit and delete one; send it a test alert. */
export function mountChannelRoutes(ctx: RouteContext): void {
  const { router, deps, limits } = ctx;
  mount(router, '/v1/channels', {
    get: withAccount(ctx, async (_req, res, account) => {
      const channels = await listChannels(deps, account);
      res.json({ channels: channels.map(channelAnswer) });
    }),
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const body = parseBody(createChannelBody, req.body);
        const channel = await createChannel(deps, account, { ...body, config: parseConfig(body.kind, body.config) });
        res.status(201).json(createdChannel(channel));
      }),
    ],
  });
  mount(router, '/v1/channels/:id', {
    get: withAccount(ctx, async (req, res, account) => {
      res.json(channelAnswer(await getOwnChannel(deps, account, String(req.params.id))));
    }),
    patch: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const { config, ...edit } = parseBody(editChannelBody, req.body);
        // The config is validated against the channel's kind and merged into its config, which only the stored channel says.
        const stored = config === undefined ? null : await getOwnChannel(deps, account, String(req.params.id));
        const configEdit = stored === null ? {} : { config: parseConfigEdit(stored.kind, config, stored.config) };
        const channel = await editChannel(deps, account, String(req.params.id), { ...edit, ...configEdit });
        res.json(channelAnswer(channel));
      }),
    ],
    delete: withAccount(ctx, async (req, res, account) => {
      await deleteChannel(deps, account, String(req.params.id));
      res.json({ deleted: true });
    }),
  });
  mount(router, '/v1/channels/:id/test', {
    post: withAccount(ctx, async (req, res, account) => {
      const channel = await getOwnChannel(deps, account, String(req.params.id));
      // Each test sends a real message: limited per account and per channel (429 with Retry-After).
      await limits.take('channelTestAccount', account.id);
      await limits.take('channelTest', channel.id);
      res.json(deliveryEntry(await testChannel(deps, channel)));
    }),
  });
}
