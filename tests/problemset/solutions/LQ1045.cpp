#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n, m;
    cin >> n >> m;
    vector<bool> out(n + 1, false);
    int pos = 0, left = n;  // pos: last person who counted (0 = before person 1)
    vector<int> order;
    while (left > 0) {
        int cnt = 0;
        while (cnt < m) {
            pos = pos % n + 1;
            if (!out[pos]) cnt++;
        }
        out[pos] = true;
        order.push_back(pos);
        left--;
    }
    for (int i = 0; i < n; i++) cout << order[i] << (i + 1 < n ? " " : "\n");
    return 0;
}
