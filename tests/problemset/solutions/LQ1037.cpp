#include <iostream>
#include <vector>
#include <algorithm>
#include <climits>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<pair<long long, long long>> acts(n);  // (end, start)
    for (auto &a : acts) cin >> a.second >> a.first;
    sort(acts.begin(), acts.end());
    int cnt = 0;
    long long last_end = LLONG_MIN;
    for (auto &a : acts) {
        if (a.second >= last_end) {
            cnt++;
            last_end = a.first;
        }
    }
    cout << cnt << "\n";
    return 0;
}
