import { connectTestTemporal } from '../helpers/temporal';

test('dev server answers', async () => {
  const t = await connectTestTemporal();
  const info = await t.connection.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBeTruthy();
  await t.close();
});
