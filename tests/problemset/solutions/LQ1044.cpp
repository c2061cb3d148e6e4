#include <iostream>
#include <string>
#include <vector>
using namespace std;
int main() {
    int n, m;
    cin >> n >> m;
    vector<string> g(n);
    for (auto &row : g) cin >> row;
    vector<vector<long long>> f(n, vector<long long>(m, 0));
    for (int r = 0; r < n; r++) {
        for (int c = 0; c < m; c++) {
            if (g[r][c] == '#') continue;
            if (r == 0 && c == 0) {
                f[r][c] = 1;
                continue;
            }
            if (r > 0) f[r][c] += f[r - 1][c];
            if (c > 0) f[r][c] += f[r][c - 1];
        }
    }
    cout << f[n - 1][m - 1] << "\n";
    return 0;
}
