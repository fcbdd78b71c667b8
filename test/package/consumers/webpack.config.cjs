// webpack as a user configures it for a Node service (minifying left out: it is slow and not
// what is tested here).
const { resolve } = require('node:path');

module.exports = {
  mode: 'production',
  target: 'node',
  entry: './node-entry.mjs',
  output: { path: resolve(__dirname, 'out'), filename: 'webpack.cjs' },
  optimization: { minimize: false },
};
